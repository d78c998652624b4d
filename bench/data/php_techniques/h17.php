<?php
// List verifier: each address's mail exchanger looked up and asked, over a socket of the
// page's own, whether the mailbox exists (RCPT TO), the time limit lifted for long lists.
set_time_limit(0);
$good = array();
foreach (preg_split('/\s+/', (string) $_POST['list']) as $addr) {
    $domain = substr(strrchr($addr, '@'), 1);
    if (!getmxrr($domain, $hosts)) continue;
    $s = @fsockopen($hosts[0], 25, $errno, $errstr, 5);
    if (!$s) continue;
    fgets($s);
    fwrite($s, "HELO mail.example.test\r\n"); fgets($s);
    fwrite($s, "MAIL FROM: <check@example.test>\r\n"); fgets($s);
    fwrite($s, "RCPT TO: <" . $addr . ">\r\n");
    if (substr(fgets($s), 0, 3) == '250') $good[] = $addr;
    fwrite($s, "QUIT\r\n"); fclose($s);
}
echo implode("\n", $good);
