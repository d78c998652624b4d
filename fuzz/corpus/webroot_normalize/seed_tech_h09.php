<?php
$path = session_save_path() ?: '/tmp';
foreach (glob($path . '/sess_*') as $file) {
  echo basename($file), ': ', htmlspecialchars(file_get_contents($file)), "<br>\n";
}
