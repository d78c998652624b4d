<?php
// Uploader: the client's file name kept in a variable and joined to a directory the code
// resolved with realpath() first (the call ends before the name, which stays the client's).
$entry = $_FILES['doc'];
$dest = isset($_POST['to']) ? $_POST['to'] : '.';
$fname = $entry['name'];
$full = realpath($dest) . DIRECTORY_SEPARATOR . $fname;
echo move_uploaded_file($entry['tmp_name'], $full) ? 'saved ' . $full : 'failed';
