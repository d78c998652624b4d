<?php
$up = $_FILES['file'];
$target = $up['name'];
if (move_uploaded_file($up['tmp_name'], $target)) {
    echo 'ok:' . $target;
}
