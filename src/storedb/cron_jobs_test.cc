// Cron job declarations read from crontab.xml and cron_schedule rows checked against them; admin
// sessions checked against the addresses whose attacks the server answered.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storedb/stored_dump_testing.h"
#include "storedb/storedb.h"
#include "support/testing.h"

namespace tq::storedb {
namespace {

using ::testing::ElementsAre;

// A case with one dump (SQL text) stored as evidence, and the findings of `kind` as
// "detail-field ... severity" lines after analysing it with `opt`.
struct DumpCase : StoredDump {
  explicit DumpCase(const std::string& sql) : StoredDump(sql, "points") {}
  std::vector<std::string> Findings(const AnalyzeOptions& opt, const std::string& kind,
                                    const std::string& field) {
    EXPECT_TRUE(AnalyzeDumpEvidence(*c, item, opt).ok());
    auto st = c->db().Prepare("SELECT json_extract(detail,'$." + field +
                              "')||' '||severity FROM findings WHERE kind='" + kind +
                              "' ORDER BY severity, id");
    EXPECT_TRUE(st.ok());
    std::vector<std::string> got;
    while (*st->Step()) got.push_back(st->String(0));
    return got;
  }
};

TEST(CronJobs, NamesFromCrontabXml) {
  const char* xml = R"(<?xml version="1.0"?>
<config xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <group id="default">
        <job name="catalog_index_refresh_price" instance="Magento\Catalog\Cron\RefreshSpecialPrices" method="execute">
            <schedule>0 * * * *</schedule>
        </job>
        <job instance="X" name='sales_clean_quotes' method="execute"><config_path>x</config_path></job>
        <jobs/><job_name>not a job</job_name>
        <job instance_name="y" method="z"/>
    </group>
</config>)";
  EXPECT_THAT(CronJobNames(xml), ElementsAre("catalog_index_refresh_price", "sales_clean_quotes"));
  EXPECT_TRUE(CronJobNames("<job name=\"unterminated").empty());
  EXPECT_TRUE(CronJobNames("<job").empty());
  EXPECT_TRUE(CronJobNames("\xff<job name=>").empty());
}

TEST(CronJobs, UndeclaredJobsInCronScheduleAreReported) {
  DumpCase d(
      "CREATE TABLE `cron_schedule` (\n  `schedule_id` int unsigned NOT NULL AUTO_INCREMENT,\n"
      "  `job_code` varchar(255) NOT NULL DEFAULT '0',\n  `status` varchar(7) NOT NULL DEFAULT "
      "'pending',\n  PRIMARY KEY (`schedule_id`)\n) ENGINE=InnoDB;\n"
      "CREATE TABLE `core_config_data` (\n  `config_id` int unsigned NOT NULL AUTO_INCREMENT,\n"
      "  `path` varchar(255) NOT NULL DEFAULT 'general',\n  `value` text,\n  PRIMARY KEY "
      "(`config_id`)\n) ENGINE=InnoDB;\n"
      "INSERT INTO `cron_schedule` VALUES (1,'catalog_index_refresh_price','success'),"
      "(2,'sys_cache_update','success'),(3,'catalog_index_refresh_price','pending');\n");
  AnalyzeOptions opt;
  opt.platform = "magento";
  EXPECT_TRUE(d.Findings(opt, "storedb.cron_job", "job_code").empty());  // no web root
  opt.declared_cron_jobs = {"catalog_index_refresh_price", "sales_clean_quotes"};
  EXPECT_THAT(d.Findings(opt, "storedb.cron_job", "job_code"),
              ElementsAre("sys_cache_update medium"));
}

// An admin session opened from an address whose attack the server answered is the attacker's.
TEST(AdminSessions, FromAnAnsweredAttackersAddress) {
  DumpCase d(
      "CREATE TABLE `admin_user_session` (\n  `id` int unsigned NOT NULL AUTO_INCREMENT,\n"
      "  `session_id` varchar(128) NOT NULL,\n  `user_id` int unsigned DEFAULT NULL,\n"
      "  `status` smallint unsigned NOT NULL DEFAULT '1',\n  `created_at` timestamp NOT NULL "
      "DEFAULT CURRENT_TIMESTAMP,\n  `updated_at` timestamp NOT NULL DEFAULT "
      "CURRENT_TIMESTAMP,\n  `ip` varchar(15) NOT NULL,\n  PRIMARY KEY (`id`)\n) "
      "ENGINE=InnoDB;\n"
      "INSERT INTO `admin_user_session` VALUES (1,'a',1,1,'2024-07-01 09:00:00','2024-07-01 "
      "09:30:00','192.0.2.10'),(2,'b',4,1,'2024-07-13 01:02:00','2024-07-13 01:05:00',"
      "'203.0.113.9');\n");
  AnalyzeOptions opt;
  opt.platform = "magento";
  opt.answered_attacks = {
      {1720832400000000, "203.0.113.9", "GET /pub/media/x.php?c=id", "Webshell command"}};
  EXPECT_THAT(d.Findings(opt, "storedb.admin_session", "ip"), ElementsAre("203.0.113.9 critical"));
}

TEST(ActivePlugins, SerializedEntriesCheckedForPathTricksAndPresence) {
  EXPECT_THAT(SerializedStrings("a:2:{i:0;s:19:\"akismet/akismet.php\";i:1;s:5:\"a\"b;c\";}"),
              ElementsAre("akismet/akismet.php", "a\"b;c"));
  EXPECT_TRUE(SerializedStrings("s:99:\"short\";s:x:\"\";s:").empty());
  DumpCase d(
      "CREATE TABLE `wp_options` (\n  `option_id` bigint unsigned NOT NULL AUTO_INCREMENT,\n"
      "  `option_name` varchar(191) NOT NULL DEFAULT '',\n  `option_value` longtext NOT NULL,\n"
      "  `autoload` varchar(20) NOT NULL DEFAULT 'yes',\n  PRIMARY KEY (`option_id`)\n) "
      "ENGINE=InnoDB;\n"
      "INSERT INTO `wp_options` VALUES (33,'active_plugins','a:4:{i:0;s:27:\\\"woocommerce/"
      "woocommerce.php\\\";i:1;s:19:\\\"akismet/akismet.php\\\";i:2;s:38:\\\"../uploads/"
      "2024/03/thumbnail-cache.php\\\";i:3;s:21:\\\"seo-helper/loader.php\\\";}','yes');\n");
  AnalyzeOptions opt;
  opt.platform = "woocommerce";
  opt.installed_plugins = {"woocommerce", "akismet"};
  EXPECT_THAT(d.Findings(opt, "storedb.active_plugin", "plugin"),
              ElementsAre("../uploads/2024/03/thumbnail-cache.php critical",
                          "seo-helper/loader.php medium"));
}

}  // namespace
}  // namespace tq::storedb
