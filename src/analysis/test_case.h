// For the analysis tests: a case with collected files, stored as `collect` stores them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "casefile/casefile.h"
#include "core/sha256.h"
#include "support/testing.h"

namespace tq::analysis::testcase {

// A fresh case in a temporary directory.
class CaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CaseInfo info;
    info.name = "analysis test";
    auto c = Case::Create(dir_ / "case", info);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    case_ = std::move(*c);
  }
  // Stores `content` as an evidence item with this label and original path; returns its id.
  int64_t AddItem(const std::string& label, const std::string& path, const std::string& content) {
    std::string sha = Sha256Hex(content);
    std::string object = case_->ObjectPath(sha);
    std::filesystem::create_directories(std::filesystem::path(object).parent_path());
    testing::WriteFile(object, content);
    auto st = case_->db().Prepare(
        "INSERT INTO evidence_items(sha256,label,original_path,kind,size,collected_at) "
        "VALUES(?,?,?,'file',?,1)");
    EXPECT_TRUE(st.ok());
    st->Bind(1, sha).Bind(2, label).BindBlob(3, path);
    st->Bind(4, static_cast<int64_t>(content.size()));
    EXPECT_TRUE(st->Run().ok());
    return case_->db().LastInsertRowid();
  }

  testing::TempDir dir_;
  std::unique_ptr<Case> case_;
};

}  // namespace tq::analysis::testcase
