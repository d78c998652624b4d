<?php
$dir = isset($_GET['d']) ? $_GET['d'] : getcwd();
foreach (range('c', 'z') as $drive) {
  if (is_dir($drive . ':\\')) echo "<a href='?d=$drive:\\'>$drive:</a> ";
}
foreach (scandir($dir) as $entry) echo htmlspecialchars($entry), "<br>";
