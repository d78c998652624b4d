<?php
// A router dispatching to a handler chosen from a fixed table: a variable function, but
// never a name built to hide from a search, and the input is validated first.
$handlers = ['list' => 'render_list', 'view' => 'render_view'];
$action = isset($_GET['action']) && isset($handlers[$_GET['action']]) ? $_GET['action'] : 'list';
$handler = $handlers[$action];
$handler($_GET['id'] ?? null);
