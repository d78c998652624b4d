// Core schema migrations (PRAGMA user_version). Internal to casefile; tests use it to build
// an older case.
#pragma once

#include "casefile/db.h"

namespace tq::casefile_internal {

int LatestVersion();
// Applies core migrations after the database's user_version, up to `target`, in the
// caller's transaction.
Status MigrateTo(Db& db, int target);

}  // namespace tq::casefile_internal
