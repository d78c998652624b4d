// Letters per second: the Mustache letter for one person (language lookup, categories and
// advice, plain-text cleaning), as `notify render` does it 100,000 times.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "notify/notify.h"

namespace {

std::vector<tq::notify::AffectedPerson> People(int n) {
  static const char* langs[] = {"en", "de", "fr", "es", "it"};
  static const std::vector<std::string> cats[] = {
      {"email", "name", "payment_card"},
      {"email", "password_hash"},
      {"account_credentials", "email", "name", "order_history", "phone", "postal_address"}};
  std::vector<tq::notify::AffectedPerson> out(n);
  for (int i = 0; i < n; ++i) {
    auto& p = out[i];
    char buf[64];
    snprintf(buf, sizeof buf, "customer:%d", i);
    p.person_key = buf;
    snprintf(buf, sizeof buf, "p%d@example.com", i);
    p.email = buf;
    snprintf(buf, sizeof buf, "Person M\xc3\xbcller %d", i);
    p.name = buf;
    p.language = langs[i % 5];
    p.categories = cats[i % 3];
    p.first_exposure = 1767225600000000;
    p.last_exposure = 1769904000000000;
  }
  return out;
}

void BM_RenderLetters(benchmark::State& state) {
  auto r = tq::notify::LetterRenderer::Load(std::string(TQ_SOURCE_DIR) + "/data/templates");
  if (!r.ok()) {
    state.SkipWithError(r.status().ToString().c_str());
    return;
  }
  std::map<std::string, std::string> extra = {{"organisation", "Example Shop"},
                                              {"store_url", "https://shop.example"},
                                              {"contact", "privacy@shop.example"},
                                              {"discovered", "2026-03-02"}};
  auto people = People(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& p : people) {
      auto l = r->Render(p, extra);
      bytes += l->body.size();
      benchmark::DoNotOptimize(l);
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_RenderLetters)->Arg(100000)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
