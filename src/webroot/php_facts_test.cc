// File-wide facts of a PHP layer (php_facts.cc): the file's own functions and the parameters
// their bodies call, reflected execution sinks, image metadata, results of calls through a
// variable; and the web-ransomware trait (a file overwritten with an encrypted copy of itself),
// high only beside a directory walk.
#include "webroot/php_facts.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tq::webroot::php {
namespace {

struct Layer {
  explicit Layer(std::string_view src)
      : tokens(LexPhp(src, false, LexLimits()).tokens), taint(tokens) {
    taint.Propagate();
  }
  std::vector<Token> tokens;
  PhpTaint taint;
};

TEST(PhpFacts, OwnFunctionsReflectedSinksMetadataAndVariableCalls) {
  Layer l(
      "<?php function Run($fn, $arg) { return $fn($arg); }\n"
      "function Noop($a) { return strlen($a); }\n"
      "$r = new ReflectionFunction('system');\n"
      "$m = exif_read_data('/tmp/a.jpg');\n"
      "$f = 'trim'; $c = $f(' x ');\n");
  FileFacts f = CollectFileFacts(l.tokens, l.taint);
  ASSERT_TRUE(f.own.count("run"));
  EXPECT_EQ(f.own["run"].params, (std::vector<std::string>{"$fn", "$arg"}));
  EXPECT_EQ(f.own["run"].called, (std::set<size_t>{0}));  // the body calls its first parameter
  ASSERT_TRUE(f.own.count("noop"));
  EXPECT_TRUE(f.own["noop"].called.empty());
  EXPECT_EQ(f.reflected_sinks["$r"], "system");
  EXPECT_TRUE(f.image_metadata.count("$m"));
  EXPECT_TRUE(f.variable_call_results.count("$c"));
}

TEST(PhpFacts, ReflectionOfOrdinaryFunctionsIsNoSink) {
  Layer l("<?php $r = new ReflectionFunction('strlen'); $h = new ReflectionFunction($cb);");
  EXPECT_TRUE(CollectFileFacts(l.tokens, l.taint).reflected_sinks.empty());
}

int RansomStrength(std::string_view src) {
  Layer l(src);
  std::vector<CodeTrait> out;
  AnalyzeRansomware(l.tokens, l.taint, "php", out);
  int s = 0;
  for (const CodeTrait& t : out) s = std::max(s, t.strength);
  return s;
}

TEST(PhpFacts, FilesOverwrittenWithTheirEncryptedCopy) {
  std::string body =
      "$d = file_get_contents($f); $e = openssl_encrypt($d, 'aes-256-cbc', $k, 0, $iv);"
      " file_put_contents($f, $e);";
  // Over every file of a directory tree: high.
  EXPECT_GE(RansomStrength("<?php foreach (new RecursiveIteratorIterator(new "
                           "RecursiveDirectoryIterator('.')) as $f) { " +
                           body + " }"),
            3);
  // One file encrypted in place, no walk: weaker.
  int one = RansomStrength("<?php $f = 'config.php'; " + body);
  EXPECT_GT(one, 0);
  EXPECT_LT(one, 3);
  // Encrypting data into another file (a backup tool) is not it, nor is a plain copy.
  EXPECT_EQ(RansomStrength("<?php foreach (glob('*.sql') as $f) { $d = file_get_contents($f);"
                           " file_put_contents($f . '.enc', openssl_encrypt($d, 'aes-256-cbc',"
                           " $k)); }"),
            0);
  EXPECT_EQ(RansomStrength("<?php foreach (scandir('.') as $f) { $d = file_get_contents($f);"
                           " file_put_contents($f, strtoupper($d)); }"),
            0);
}

}  // namespace
}  // namespace tq::webroot::php
