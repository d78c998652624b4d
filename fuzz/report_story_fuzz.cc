// Fuzzes the story builder with attacker text where the case keeps it: the input is cut into
// strings that become timeline rows (message, address, evidence path, the JSON detail with the
// request, its rules and their tags, as the analysis writes it or broken), an attacker's label
// and its analysis detail. Invariants: building never fails on the case's own content, every
// step has a phase and a sentence no longer than the clip, the steps are in time order, and the
// story's JSON is one well-formed object (checked by the writer's own balance: it begins with
// '{' and ends with '}').
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "report/story.h"
#include "temp_case.h"

namespace {

std::vector<std::string> Pieces(std::string_view in) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= in.size() && out.size() < 48) {
    size_t cut = in.find('\x01', pos);
    if (cut == std::string_view::npos) cut = in.size();
    out.emplace_back(in.substr(pos, cut - pos));
    pos = cut + 1;
  }
  while (out.size() < 8) out.emplace_back("");
  return out;
}

constexpr const char* kTimeline = R"sql(
CREATE TABLE IF NOT EXISTS analysis_timeline (id INTEGER PRIMARY KEY, time INTEGER NOT NULL,
  source TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL, actor TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '', evidence_id INTEGER, evidence_sha256 TEXT NOT NULL DEFAULT '',
  evidence_path BLOB NOT NULL DEFAULT '', line INTEGER, byte_offset INTEGER, attacker_id INTEGER,
  finding_id INTEGER, detail TEXT NOT NULL DEFAULT '{}');
)sql";

const char* const kSources[] = {"log", "analysis", "file", "db", "finding", "platform"};
const char* const kKinds[] = {"request",
                              "request.rule_hit",
                              "request.artifact",
                              "analysis.entry_vector",
                              "analysis.exfiltration",
                              "analysis.skimmer_window",
                              "webroot.yara",
                              "host.cron",
                              "storedb.injected_script",
                              "platform.critical",
                              "file.mtime",
                              "analysis.attacker"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::vector<std::string> p = Pieces(std::string_view(reinterpret_cast<const char*>(data), size));
  static tq::fuzz::TempCase tc = tq::fuzz::NewTempCase("story");
  tq::Db& db = tc.c->db();
  // One transaction per input, rolled back: each input starts from the empty case, and no
  // commit (fsync) per input keeps the replay in seconds.
  if (!db.Exec(kTimeline).ok() || !db.Begin().ok()) __builtin_trap();
  {
    auto st = db.Prepare(
        "INSERT INTO attackers(id,label,confidence,first_seen,last_seen) VALUES (1,?,0.5,0,?)");
    if (!st.ok()) __builtin_trap();
    st->Bind(1, p[0]).Bind(2, int64_t{1} << 50);
    if (!st->Run().ok()) __builtin_trap();
    auto f = db.Prepare(
        "INSERT INTO findings(kind,component,severity,confidence,summary,detail,dedupe_key,"
        "created_at,updated_at,triage) VALUES ('analysis.attacker','analysis','high',0.5,'a',?,"
        "'a',0,0,'actionable')");
    if (!f.ok()) __builtin_trap();
    f->Bind(1, p[1]);
    if (!f->Run().ok()) __builtin_trap();
  }
  auto row = db.Prepare(
      "INSERT INTO analysis_timeline(time,source,kind,message,ip,evidence_id,evidence_path,line,"
      "attacker_id,finding_id,detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  if (!row.ok()) __builtin_trap();
  for (size_t i = 2; i + 4 < p.size() + 1 && i < p.size(); i += 4) {
    uint8_t k = p[i].empty() ? 0 : static_cast<uint8_t>(p[i][0]);
    if (!row->Reset().ok()) __builtin_trap();
    row->Bind(1, static_cast<int64_t>(k) * 1000000 * ((k & 1) ? -1 : 1) + static_cast<int64_t>(i))
        .Bind(2, kSources[k % std::size(kSources)])
        .Bind(3, kKinds[(k / 8) % std::size(kKinds)])
        .Bind(4, p[i])
        .Bind(5, p[(i + 1) % p.size()])
        .Bind(6, int64_t{8})
        .Bind(7, p[(i + 2) % p.size()])
        .Bind(8, static_cast<int64_t>(k % 5))
        .Bind(9, int64_t{(k & 2) ? 1 : 2})  // attacker 2 does not exist
        .Bind(10, int64_t{k % 3})
        .Bind(11, p[(i + 3) % p.size()]);
    if (!row->Run().ok()) __builtin_trap();
  }
  auto story = tq::report::BuildStory(db);
  if (!story.ok()) __builtin_trap();  // the case's own content must always make a story
  int64_t last = INT64_MIN;
  for (const tq::report::StoryStep& s : story->steps) {
    if (s.sentence.size() > 400 + 3) __builtin_trap();
    if (s.kind != "impact" && s.time_us < last) __builtin_trap();
    last = s.time_us;
  }
  std::string json = tq::report::StoryJson(*story);
  if (json.empty() || json.front() != '{' || json.back() != '}') __builtin_trap();
  db.Rollback();
  return 0;
}
