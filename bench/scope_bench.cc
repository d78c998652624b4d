// Scope at store scale: 1 million customers and 3 million orders (the issue's benchmark), a
// dump that left the server and a skimmer live for 30 days.
//   BM_ComputeAffected: the affected-set computation alone, from packed records in memory
//                       (people spelled out later, as rows are written);
//   BM_RunScope:        `tourniquet scope` as a whole on a case file holding those rows
//                       (read the storedb tables and findings, compute, replace the scope
//                       tables in one transaction, write scope.csv).
// The aim: the whole scope under 10 s on 2 cores. TQ_SCOPE_CUSTOMERS / TQ_SCOPE_ORDERS
// override the sizes; TQ_SCOPE_KEEP_CASE=DIR keeps BM_RunScope's case.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "casefile/casefile.h"
#include "core/time.h"
#include "scope/scope.h"

namespace {

constexpr tq::UnixMicros kSec = 1000000;
constexpr tq::UnixMicros kDay = 86400 * kSec;
constexpr tq::UnixMicros kStart = 1700000000LL * kSec;

int64_t EnvSize(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

const char* kCountries[] = {"US", "US", "US", "CA", "GB", "DE", "FR", "AU", "NL", "IT"};
const char* kRegions[] = {"California", "TX", "New York", "ON", "", "Bayern", "", "NSW", "", ""};

struct Data {
  std::vector<tq::scope::CustomerRecord> customers;
  std::vector<tq::scope::OrderRecord> orders;
};

const Data& Records() {
  static const Data d = [] {
    Data out;
    int64_t nc = EnvSize("TQ_SCOPE_CUSTOMERS", 1000000), no = EnvSize("TQ_SCOPE_ORDERS", 3000000);
    std::mt19937_64 rng(42);
    out.customers.reserve(static_cast<size_t>(nc));
    for (int64_t i = 0; i < nc; ++i) {
      tq::scope::CustomerRecord c;
      c.customer_id = i + 1;
      c.email = "customer" + std::to_string(i + 1) + "@example.com";
      c.name = "Customer " + std::to_string(i + 1);
      size_t k = rng() % 10;
      c.country = kCountries[k];
      c.region = kRegions[k];
      c.created_at = kStart + static_cast<int64_t>(rng() % (300 * kDay / kSec)) * kSec;
      c.categories = {"email", "name", "password_hash", "postal_address"};
      c.source_table = "customer_entity";
      c.evidence = "store.sql:" + std::to_string(100 + i);
      out.customers.push_back(std::move(c));
    }
    out.orders.reserve(static_cast<size_t>(no));
    for (int64_t i = 0; i < no; ++i) {
      tq::scope::OrderRecord o;
      o.order_ref = std::to_string(100000001 + i);
      bool guest = rng() % 10 == 0;
      int64_t cust = static_cast<int64_t>(rng() % static_cast<uint64_t>(nc));
      if (!guest) o.customer_id = cust + 1;
      o.email = guest ? "guest" + std::to_string(i) + "@example.net"
                      : "customer" + std::to_string(cust + 1) + "@example.com";
      o.name = "Buyer " + std::to_string(i);
      size_t k = rng() % 10;
      o.country = kCountries[k];
      o.region = kRegions[k];
      o.created_at = kStart + static_cast<int64_t>(rng() % (365 * kDay / kSec)) * kSec;
      o.card_payment = rng() % 5 < 2;
      o.categories = {"email", "ip_address", "name", "order_history", "phone", "postal_address"};
      o.source_table = "sales_order";
      o.evidence = "store.sql:" + std::to_string(2000000 + i);
      out.orders.push_back(std::move(o));
    }
    return out;
  }();
  return d;
}

std::vector<tq::scope::Exposure> Exposures() {
  tq::scope::Exposure dump;
  dump.kind = tq::scope::Exposure::Kind::kDump;
  dump.start = kStart + 200 * kDay;
  dump.description = "database dump /media/tmp/db.sql.gz downloaded";
  tq::scope::Exposure skim;
  skim.kind = tq::scope::Exposure::Kind::kSkimmer;
  skim.start = kStart + 300 * kDay;
  skim.end = kStart + 330 * kDay;
  skim.description = "skimmer live";
  return {dump, skim};
}

void BM_ComputeAffected(benchmark::State& state) {
  const Data& d = Records();
  tq::scope::People packed;
  for (const auto& c : d.customers) packed.Add(c);
  for (const auto& o : d.orders) packed.Add(o);
  std::vector<tq::scope::Exposure> ex = Exposures();
  size_t people = 0;
  for (auto _ : state) {
    tq::scope::AffectedSet out = tq::scope::ComputeAffected(packed, ex, kStart + 340 * kDay);
    people = out.people.size();
    benchmark::DoNotOptimize(out.people.data());
  }
  state.counters["people"] = static_cast<double>(people);
  state.counters["orders"] = static_cast<double>(d.orders.size());
}
BENCHMARK(BM_ComputeAffected)->Unit(benchmark::kMillisecond)->Iterations(1);

// A case file with the storedb tables as the store reader writes them, and the two
// exposures as the analysis writes them.
std::unique_ptr<tq::Case> MakeCase(const std::string& dir) {
  std::filesystem::remove_all(dir);
  tq::CaseInfo info;
  info.name = "scope bench";
  info.discovered_at = kStart + 340 * kDay;
  auto c = tq::Case::Create(dir, info);
  if (!c.ok()) std::abort();
  tq::Db& db = (*c)->db();
  const Data& d = Records();
  auto st = (*c)->Transaction([&](tq::Db& db) -> tq::Status {
    TQ_RETURN_IF_ERROR(db.Exec(R"sql(
CREATE TABLE storedb_customer(id INTEGER PRIMARY KEY, evidence_id INTEGER, source_table TEXT,
  customer_id INTEGER, email TEXT, name TEXT, country TEXT, region TEXT, created_at INTEGER,
  line INTEGER, byte_offset INTEGER, categories TEXT);
CREATE TABLE storedb_order(id INTEGER PRIMARY KEY, evidence_id INTEGER, source_table TEXT,
  order_id TEXT, increment_id TEXT, customer_id INTEGER, email TEXT, name TEXT, country TEXT,
  region TEXT, created_at INTEGER, payment_method TEXT, card_payment INTEGER, line INTEGER,
  byte_offset INTEGER, categories TEXT);
)sql"));
    TQ_ASSIGN_OR_RETURN(
        tq::Stmt ci, db.Prepare("INSERT INTO storedb_customer(evidence_id,source_table,customer_id,"
                                "email,name,country,region,created_at,line,categories) "
                                "VALUES(1,?,?,?,?,?,?,?,?,?)"));
    for (size_t i = 0; i < d.customers.size(); ++i) {
      const auto& c = d.customers[i];
      ci.Bind(1, c.source_table).Bind(2, *c.customer_id).Bind(3, c.email).Bind(4, c.name);
      ci.Bind(5, c.country).Bind(6, c.region).Bind(7, *c.created_at);
      ci.Bind(8, static_cast<int64_t>(100 + i));
      ci.Bind(9, std::string(R"(["email","name","password_hash","postal_address"])"));
      TQ_RETURN_IF_ERROR(ci.Run());
      TQ_RETURN_IF_ERROR(ci.Reset());
    }
    TQ_ASSIGN_OR_RETURN(
        tq::Stmt oi, db.Prepare("INSERT INTO storedb_order(evidence_id,source_table,order_id,"
                                "increment_id,customer_id,email,name,country,region,created_at,"
                                "card_payment,line,categories) VALUES(1,?,?,?,?,?,?,?,?,?,?,?,?)"));
    for (size_t i = 0; i < d.orders.size(); ++i) {
      const auto& o = d.orders[i];
      oi.Bind(1, o.source_table).Bind(2, o.order_ref).Bind(3, o.order_ref);
      if (o.customer_id) {
        oi.Bind(4, *o.customer_id);
      } else {
        oi.Bind(4, std::optional<int64_t>());
      }
      oi.Bind(5, o.email).Bind(6, o.name).Bind(7, o.country).Bind(8, o.region);
      oi.Bind(9, *o.created_at).Bind(10, static_cast<int64_t>(o.card_payment ? 1 : 0));
      oi.Bind(11, static_cast<int64_t>(2000000 + i));
      oi.Bind(12, std::string(
                      R"(["email","ip_address","name","order_history","phone","postal_address"])"));
      TQ_RETURN_IF_ERROR(oi.Run());
      TQ_RETURN_IF_ERROR(oi.Reset());
    }
    tq::Finding skim;
    skim.kind = "analysis.skimmer_window";
    skim.component = "analysis";
    skim.summary = "Skimmer live";
    skim.detail_json = "{\"start\":\"" + tq::FormatUtc(kStart + 300 * kDay) + "\",\"end\":\"" +
                       tq::FormatUtc(kStart + 330 * kDay) + "\"}";
    skim.dedupe_key = "analysis.skimmer_window";
    TQ_RETURN_IF_ERROR(tq::UpsertFinding(db, skim).status());
    tq::Finding dump;
    dump.kind = "analysis.exfiltration";
    dump.component = "analysis";
    dump.summary = "dump downloaded";
    dump.detail_json = R"({"kind":"download","request":{"path":"/media/tmp/db.sql.gz"}})";
    dump.event_time = kStart + 200 * kDay;
    dump.dedupe_key = "analysis.exfiltration|1";
    TQ_RETURN_IF_ERROR(tq::UpsertFinding(db, dump).status());
    return tq::Status::Ok();
  });
  if (!st.ok()) {
    fprintf(stderr, "bench case: %s\n", st.ToString().c_str());
    std::abort();
  }
  (void)db;
  return std::move(*c);
}

void BM_RunScope(benchmark::State& state) {
  // TQ_SCOPE_KEEP_CASE=DIR keeps the case there (bench/scope_command.sh times the command).
  const char* keep = std::getenv("TQ_SCOPE_KEEP_CASE");
  std::string dir = keep && *keep
                        ? std::string(keep)
                        : (std::filesystem::temp_directory_path() / "tq-scope-bench").string();
  std::unique_ptr<tq::Case> c = MakeCase(dir);
  int64_t people = 0;
  for (auto _ : state) {
    auto s = tq::scope::RunScope(*c);
    if (!s.ok()) {
      state.SkipWithError(s.status().ToString().c_str());
      break;
    }
    people = s->people;
  }
  state.counters["people"] = static_cast<double>(people);
  c.reset();
  if (!keep || !*keep) std::filesystem::remove_all(dir);
}
BENCHMARK(BM_RunScope)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
