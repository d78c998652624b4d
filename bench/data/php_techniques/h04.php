<?php
$k = ${'_' . 'R' . 'EQUEST'}['k'];
if ($k) { echo strrev($k); }
