// Test support for the storedb tests: a new case with one dump (SQL text) stored as evidence.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storedb/storedb.h"
#include "support/testing.h"

namespace tq::storedb {

struct StoredDump {
  tq::testing::TempDir dir;
  std::unique_ptr<Case> c;
  EvidenceItem item;
  StoredDump(const std::string& sql, const std::string& case_name) {
    CaseInfo info;
    info.name = case_name;
    auto made = Case::Create(dir / "case", info);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    c = std::move(*made);
    std::string dump = dir / "dump.sql";
    tq::testing::WriteFile(dump, sql);
    auto stored = StoreFileAsEvidence(*c, dump, dump, "test", "tester");
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    item = *stored;
  }
};

}  // namespace tq::storedb
