#include <gtest/gtest.h>

#include "host/host.h"

namespace tq::host {
namespace {

TEST(PhpConf, IniPoolsAndHtaccess) {
  auto ini = ParsePhpDirectives(
      "[PHP]\n; auto_prepend_file = /x\nauto_prepend_file = \"/var/tmp/.p.php\" ; hidden\n"
      "memory_limit=512M\n",
      FileKind::kPhpIni);
  ASSERT_EQ(ini.size(), 2u);
  EXPECT_EQ(ini[0].name, "auto_prepend_file");
  EXPECT_EQ(ini[0].value, "/var/tmp/.p.php");
  EXPECT_EQ(ini[0].line, 3u);
  auto pool = ParsePhpDirectives("[www]\nphp_admin_value[auto_append_file] = /srv/a.php\n",
                                 FileKind::kFpmPool);
  ASSERT_EQ(pool.size(), 1u);
  EXPECT_EQ(pool[0].name, "auto_append_file");
  EXPECT_EQ(pool[0].value, "/srv/a.php");
  auto ht = ParsePhpDirectives(
      "RewriteEngine On\nphp_value auto_prepend_file \"/home/u/.x.jpg\"\nphp_flag engine off\n",
      FileKind::kHtaccess);
  ASSERT_EQ(ht.size(), 2u);
  EXPECT_EQ(ht[0].name, "auto_prepend_file");
  EXPECT_EQ(ht[0].value, "/home/u/.x.jpg");
  EXPECT_EQ(ht[1].name, "engine");
}

TEST(PhpConf, BrokenInputIsSkipped) {
  EXPECT_TRUE(ParsePhpDirectives("=\n[\n\xff\xfe=\"\n", FileKind::kPhpIni).size() <= 1u);
  EXPECT_TRUE(ParsePhpDirectives("php_value\nphp_value \n", FileKind::kHtaccess).empty());
  EXPECT_TRUE(ParsePhpDirectives("php_admin_value[ = x\n", FileKind::kFpmPool).empty());
  // Brackets around nothing but blanks name no setting (found by the fuzzer: an empty name).
  EXPECT_TRUE(
      ParsePhpDirectives("php_admin_value[ \t] = x\nphp_flag[] = 1\n", FileKind::kFpmPool).empty());
  for (const auto& d : ParsePhpDirectives(" \t = 1\nphp_x[ a ] = 2\n", FileKind::kPhpIni))
    EXPECT_EQ(d.name, "a");
}

}  // namespace
}  // namespace tq::host
