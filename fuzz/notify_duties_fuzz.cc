// Fuzz the jurisdiction table loader (an editable file: typos and damage must be errors,
// never crashes or hangs), then plan with the parsed table.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "notify/notify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tq::Result<tq::notify::DutyTable> t = tq::notify::ParseDutyTable(text, "fuzz.txt");
  if (!t.ok()) {
    (void)t.status().ToString();
    return 0;
  }
  std::vector<tq::notify::AffectedPerson> people(4);
  const char* countries[] = {"US", "DE", "CA", ""};
  for (size_t i = 0; i < people.size(); ++i) {
    people[i].person_key = std::to_string(i);
    people[i].country = countries[i];
    people[i].region = i == 0 ? "CA" : i == 2 ? "ON" : "";
    people[i].categories = {"email", "payment_card"};
    if (i % 2) people[i].told_at = 1772463600000000 + static_cast<int64_t>(i) * 3600000000;
  }
  for (const char* establishment : {"unknown", "none"}) {
    tq::notify::PlanContext context;
    context.establishment = establishment;
    tq::notify::Plan plan =
        tq::notify::BuildPlan(*t, people, 1772463600000000, 1772463600000000, context);
    (void)plan;
  }
  return 0;
}
