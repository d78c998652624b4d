<?php
$db = new mysqli('localhost', 'magento', 'secret', 'magento');
$db->query("INSERT INTO admin_user (firstname, lastname, email, username, password, is_active) VALUES ('a', 'b', 'c@example.net', 'sysadmin', '5f4dcc3b5aa765d61d8327deb882cf99:xx', 1)");
$db->query("INSERT INTO authorization_role (parent_id, tree_level, role_type, user_id, user_type, role_name) VALUES (1, 2, 'U', LAST_INSERT_ID(), 2, 'sysadmin')");
