<?php
// Finds the other shops on this server's address through a search engine.
$addr = gethostbyname($_SERVER['SERVER_NAME']);
for ($first = 1; $first < 200; $first += 10) {
  $html = file_get_contents('https://www.bing.com/search?q=' . urlencode('ip:' . $addr) . '&first=' . $first);
  preg_match_all('#<cite>(.*?)</cite>#', $html, $m);
  foreach ($m[1] as $site) echo strip_tags($site), "\n";
}
