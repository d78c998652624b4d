// Shared by the tests of the PHP behaviour passes (php_escapes_test.cc, php_objects_test.cc):
// how strongly the whole pipeline (lex, fold, decode, analyse) marks a source with one trait.
#pragma once

#include <algorithm>
#include <string_view>

#include "webroot/normalize.h"

namespace tq::webroot {

// The strongest trait `id` of the normalised PHP `src`; 0 when it has none.
inline int Strongest(std::string_view src, std::string_view id) {
  int s = 0;
  for (const CodeTrait& t : Normalize(src, CodeKind::kPhp).traits)
    if (t.id == id) s = std::max(s, t.strength);
  return s;
}

}  // namespace tq::webroot
