// PHP's own objects and helpers as sinks (php_objects.cc), through the whole pipeline: each
// technique beside the look-alike real code writes.
#include <gtest/gtest.h>

#include <string>

#include "webroot/php_trait_test_support.h"

namespace tq::webroot {
namespace {

TEST(PhpObjects, SplFileObjectWrittenWhereAndWithWhatTheRequestSays) {
  EXPECT_EQ(Strongest("<?php (new SplFileObject($_GET['f'], 'w'))->fwrite($_POST['c']);",
                      "php.request_to_file"),
            3);
  // A log the application names, or a request file read: no.
  EXPECT_EQ(Strongest("<?php $l = new SplFileObject($dir . '/app.log', 'a');"
                      " $l->fwrite(date('c') . ' ' . $_SERVER['REQUEST_URI']);",
                      "php.request_to_file"),
            0);
  EXPECT_EQ(Strongest("<?php $f = new SplFileObject($_GET['f'], 'r'); echo $f->fgets();",
                      "php.request_to_file"),
            0);
}

TEST(PhpObjects, RequestArraysSortedWithASink) {
  EXPECT_EQ(Strongest("<?php $e = new ArrayObject(array($_POST['x'])); $e->uasort('assert');",
                      "php.request_to_sort_callback"),
            4);
  EXPECT_EQ(Strongest("<?php $it = new ArrayIterator($_GET); $it->uksort('system');",
                      "php.request_to_sort_callback"),
            4);
  // Sorting the request's values with a comparison function: no.
  EXPECT_EQ(Strongest("<?php $e = new ArrayObject($_POST['ids']); $e->uasort('strnatcmp');",
                      "php.request_to_sort_callback"),
            0);
}

TEST(PhpObjects, FileTimesFromTheRequest) {
  EXPECT_EQ(Strongest("<?php touch($_POST['f'], strtotime($_POST['t']));", "php.request_timestamp"),
            2);
  // A cache file touched now, or with the application's own time: no.
  EXPECT_EQ(Strongest("<?php touch($cache); touch($_GET['f'] . '.lock', time());",
                      "php.request_timestamp"),
            0);
}

}  // namespace
}  // namespace tq::webroot
