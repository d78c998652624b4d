// Test-only: the shipped letter rules, loaded once, for the delivery tests (letter_rules_test,
// controller_test).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "notify/delivery.h"

namespace tq::notify {

inline std::string Data() { return std::string(TQ_SOURCE_DIR) + "/data/jurisdictions"; }

inline const LetterRules& Shipped() {
  static const LetterRules rules = [] {
    auto table = LoadDutyTable(Data() + "/duties.txt");
    EXPECT_TRUE(table.ok());
    auto r = LoadLetterRules(Data() + "/letters.txt", table->sets);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }();
  return rules;
}

}  // namespace tq::notify
