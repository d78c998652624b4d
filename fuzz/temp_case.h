// For fuzz targets that need a real case: a new case in a fresh directory under /tmp, made
// once per process (the caller keeps it in a static) and removed when the process exits (every
// replay in `make test` had left one behind). Aborts when it cannot be made: a target that
// cannot set up must not report success.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "casefile/casefile.h"
#include "remove_at_exit.h"

namespace tq::fuzz {

struct TempCase {
  std::string dir;  // holds case/ and whatever the target writes beside it
  std::unique_ptr<Case> c;
};

inline TempCase NewTempCase(const std::string& tag) {
  std::string tmpl = "/tmp/tq-" + tag + "-fuzz-XXXXXX";
  if (!::mkdtemp(tmpl.data())) std::abort();
  RemoveAtExit(tmpl);
  CaseInfo info;
  info.name = "fuzz";
  auto c = Case::Create(tmpl + "/case", info);
  if (!c.ok()) std::abort();
  return TempCase{tmpl, std::move(*c)};
}

}  // namespace tq::fuzz
