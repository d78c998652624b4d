// For fuzz targets of parsers that count skipped input in a SkipTally: every example names a
// line and lies inside the input it came from.
#pragma once

#include <cstddef>

#include "core/skipped.h"

inline void TrapUnlessWithin(const tq::SkipTally& tally, size_t size) {
  for (const auto& [reason, r] : tally)
    for (const tq::SkippedInput& e : r.examples)
      if (e.line == 0 || e.offset > size || e.bytes > size - e.offset) __builtin_trap();
}
