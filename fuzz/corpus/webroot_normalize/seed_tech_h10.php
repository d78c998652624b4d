<?php
$base = $_POST['net'];
for ($host = 1; $host < 255; $host++) {
  $c = curl_init('http://' . $base . '.' . $host . '/');
  curl_setopt($c, CURLOPT_RETURNTRANSFER, 1);
  curl_setopt($c, CURLOPT_TIMEOUT, 2);
  if (curl_exec($c) !== false) echo $base . '.' . $host, " answers\n";
}
