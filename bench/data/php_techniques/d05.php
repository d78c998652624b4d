<?php
require __DIR__ . '/app/bootstrap.php';
$bootstrap = \Magento\Framework\App\Bootstrap::create(BP, $_SERVER);
$om = $bootstrap->getObjectManager();
$r = $om->get('Magento\Framework\App\ResourceConnection')->getConnection();
$rows = $r->fetchAll("SELECT * FROM sales_flat_quote_payment");
echo json_encode($rows);
