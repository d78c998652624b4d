#include "core/phase_clock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <string>

namespace tq {
namespace {

TEST(PhaseClockTest, MarksGoToStderrOnlyWhenItsVariableIsSet) {
  ::unsetenv("TQ_TEST_PHASES");
  testing::internal::CaptureStderr();
  PhaseClock off("TQ_TEST_PHASES", "test");
  off.Mark("quiet");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  // One made with no variable (a caller given none) is off whatever the environment says.
  ::setenv("TQ_TEST_PHASES", "1", 1);
  testing::internal::CaptureStderr();
  PhaseClock none;
  none.Mark("quiet");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  ::unsetenv("TQ_TEST_PHASES");

  ::setenv("TQ_TEST_PHASES", "1", 1);
  testing::internal::CaptureStderr();
  PhaseClock on("TQ_TEST_PHASES", "test stage");
  on.Mark("read");
  on.Mark("stored");
  std::string out = testing::internal::GetCapturedStderr();
  ::unsetenv("TQ_TEST_PHASES");
  // Two lines, each with the label, the phase, the time since the start and since the mark
  // before, and the CPU time since the mark before.
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  EXPECT_EQ(out.rfind("test stage read ", 0), 0u) << out;
  EXPECT_NE(out.find("\ntest stage stored "), std::string::npos) << out;
  EXPECT_THAT(
      out,
      testing::ContainsRegex(
          "stored +[0-9]+\\.[0-9]{3} s +\\+[0-9]+\\.[0-9]{3} s  cpu +\\+[0-9]+\\.[0-9]{3} s\n"));
}

}  // namespace
}  // namespace tq
