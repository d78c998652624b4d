// Implementation header of the rules component (included from its .cc files only): the
// compiled form of a rule set. Atoms are deduplicated across rules; a rule's detection is a
// small expression tree over atoms.
#pragma once

#include <hs/hs.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rules/rules.h"

namespace YAML {
class Node;
}
namespace tq {
class Case;
class Db;
}  // namespace tq

namespace tq::rules {

// A rule file or rule that did not load: where (file and 1-based line) and why.
inline RuleProblem MakeRuleProblem(std::string file, int line, std::string title,
                                   std::string reason) {
  return RuleProblem{SkippedInput{std::move(file), line > 0 ? static_cast<uint64_t>(line) : 0, 0, 0,
                                  std::move(reason)},
                     std::move(title)};
}

enum class AtomKind : uint8_t {
  kEquals,
  kContains,
  kStartsWith,
  kEndsWith,
  kWildcard,  // glob with * and ?, anchored per the match type
  kRegex,
  kCidr,
  kExists,
  kNull,
  kLt,
  kLte,
  kGt,
  kGte,
};

// Atom::field of a field outside the webserver taxonomy, named by Atom::extra.
constexpr int kExtraField = -2;

struct Atom {
  AtomKind kind = AtomKind::kEquals;
  int field = -1;     // logs::Field, -1 for a keyword (whole line), or kExtraField
  std::string extra;  // kExtraField: the field's Sigma name
  std::string value;  // literal bytes (lowercased unless cased), regex, or glob regex
  bool cased = false;
  bool scanned = false;       // in the chunk database
  std::string chunk_pattern;  // Vectorscan expression for the chunk scan
  unsigned chunk_flags = 0;
  std::string confirm_pattern;  // for kWildcard / kRegex: anchored expression on the value
  unsigned confirm_flags = 0;
  hs_database_t* confirm_db = nullptr;
  std::array<uint8_t, 16> net{};  // kCidr
  int prefix = 0;
  bool v6 = false;
  double number = 0;  // kLt..kGte
  // A literal atom on a field (kEquals..kEndsWith): its chunk matches are exactly `span` bytes
  // long, so a match counts for a line only when it lies inside the atom's field.
  uint32_t span = 0;
  // A glob or regex on a field that is not in the chunk database: prefiltered by one scan of
  // the field's values of many lines at once (RuleSet::field_db), confirmed per line.
  bool batched = false;
  // A scanned literal on the request target: in grouped scans it is searched for in its
  // field's database (field_db) instead of the chunk database.
  bool in_field_db = false;
};

struct Node {
  enum Op : uint8_t { kAtom, kAnd, kOr, kNot, kTrue, kFalse } op = kFalse;
  uint32_t atom = 0;
  std::vector<uint32_t> kids;
};

struct CompiledRule {
  std::vector<Node> nodes;  // nodes[root] is the condition
  uint32_t root = 0;
  bool always = false;  // may hold on a line where no scanned or batched atom matched
};

// A correlation's `rules:` entry, resolved: a rule (index into RuleSet::info) or another
// correlation (index into RuleSet::corr_info).
struct CorrelationSource {
  bool is_correlation = false;
  uint32_t index = 0;
};
// Where a correlation reads a field in the events of one source: a field of the record
// (logs::Field, or kExtraField named by `extra`), or a group-by value of an inner
// correlation's hit (`inner_pos`). `prefix`: an address field named `c-ip/24` groups by its
// network (IPv4 /8../32, IPv6 /16../128), a tourniquet extension of group-by.
struct CorrelationField {
  int field = -1;
  std::string extra;
  int inner_pos = -1;
  int prefix = -1;
};
struct CompiledCorrelation {
  std::vector<CorrelationSource> sources;
  std::vector<std::vector<CorrelationField>> group_fields;  // [source][group-by]
  std::vector<CorrelationField> value_field;                // [source] (value_count)
  int legacy_rule = -1;  // the rule whose `| count()` condition made it
};

struct RuleSet {
  std::vector<RuleInfo> info;
  std::vector<CompiledRule> rules;
  std::vector<RuleProblem> skipped;
  std::vector<Atom> atoms;
  std::map<std::string, uint32_t> atom_index;  // dedupe key -> atom
  // What makes a rule a candidate on a line. A rule that may hold without any prefiltered atom
  // is evaluated on every line (always_rules); every other rule has groups of prefiltered atoms
  // of which one must be reported for it to hold (`sel and ext` needs one of sel's atoms and
  // one of ext's), and is a candidate when each of its groups has a reported atom. One set for
  // each prefilter mode: [0] line by line (batched atoms evaluated directly), [1] grouped.
  struct Triggers {
    std::vector<uint32_t> atom_begin;  // atom a's groups: group_ids[atom_begin[a], [a + 1])
    std::vector<uint32_t> group_ids;
    std::vector<uint32_t> group_rule;   // group -> rule
    std::vector<uint32_t> rule_groups;  // rule -> number of groups (0 for always-rules)
  };
  std::array<Triggers, 2> triggers;
  std::vector<uint32_t> always_rules;
  // The rules that may hold without a scanned atom when batched atoms are evaluated on every
  // line (parsers whose fields are not views into the line, e.g. JSON).
  std::vector<uint32_t> always_rules_unbatched;
  std::vector<uint32_t> scanned_atoms;  // Vectorscan pattern id -> atom
  hs_database_t* chunk_db = nullptr;    // every scanned atom
  // The chunk database without the atoms in field_db, for grouped scans.
  std::vector<uint32_t> scanned_atoms_grouped;
  hs_database_t* chunk_db_grouped = nullptr;
  // Per field: the batched atoms' patterns in multi-line mode, scanned over that field's values
  // of a group of lines joined with '\n'; pattern id -> atom in field_atoms.
  std::array<hs_database_t*, logs::kFieldCount> field_db{};
  std::array<std::vector<uint32_t>, logs::kFieldCount> field_atoms;
  // The path is the request target up to its '?': the literals on the path are searched in the
  // request target's database (field_db of cs-uri-query) with that field's own literals, as
  // patterns uri_path_first.. of it, and count only where they end inside the path (the
  // path's values are then not scanned a second time). field_atoms[kUri].size() when none.
  uint32_t uri_path_first = 0;
  hs_scratch_t* scratch_proto = nullptr;
  // Correlations (correlation.cc): loaded, then resolved against the rules once every file is
  // read. corr_order lists them inner first; rule_corr[r] the (correlation, source) pairs a
  // hit of rule r feeds.
  std::vector<CorrelationInfo> corr_info;
  std::vector<CompiledCorrelation> corr;
  std::vector<uint32_t> corr_order;
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> rule_corr;
  ~RuleSet();
};

// hs_cache.cc: hs_compile_multi in block mode, through a cache of compiled databases in
// CompileCacheDir() ($TOURNIQUET_CACHE_DIR/hs, else $XDG_CACHE_HOME/tourniquet/hs, else
// ~/.cache/tourniquet/hs; TOURNIQUET_CACHE_DIR set but empty: no cache).
hs_error_t CompileCached(const char* const* exprs, const unsigned* flags, const unsigned* ids,
                         unsigned count, hs_database_t** db, hs_compile_error_t** err);
std::string CompileCacheDir();  // "" when there is none
struct CompileCacheStats {
  uint64_t hits = 0, misses = 0;  // databases loaded from the cache, and compiled
};
CompileCacheStats CompileCacheCounts();  // since the process started
// Past max_bytes of databases in `dir`, the least recently used go until half of it is left
// (CompileCached does this once per process, at 256 MB).
void PruneCompileCache(const std::string& dir, uintmax_t max_bytes);

// correlation.cc: a `correlation:` document to corr_info (or a problem in skipped); the
// `| count(...) by ...` tail of a rule's condition (with `timeframe`) to a correlation of that
// rule (false with *why set when it is not understood); ResolveCorrelations links them by name
// and id once every file is loaded, orders them, and marks the rules that only feed
// correlations as not generating hits of their own.
void LoadCorrelationDoc(RuleSet& rs, const std::string& file, const YAML::Node& doc);
// `cond` is the whole condition, `bar` the position of its '|'; errors name the column.
bool ParseAggregation(std::string_view cond, size_t bar, std::string_view timeframe,
                      CorrelationInfo* out, std::string* why);
void AddLegacyCorrelation(RuleSet& rs, uint32_t rule, CorrelationInfo info);
void ResolveCorrelations(RuleSet& rs);
// "10s", "5m", "1h", "2d" to microseconds; false if it is not one of these.
bool ParseTimespan(std::string_view s, int64_t* micros);

// correlation_store.cc: the correlation hits of a scan into the case (StoreLogScan).
Status EnsureCorrelationSchema(Case& c);
Status StoreCorrelationHits(Db& db, const std::vector<LogInput>& inputs, const RuleSet& rs,
                            const LogScanResult& r, int64_t* findings);

// sigma.cc: YAML to rules (fills info, rules, atoms, skipped).
void LoadSigmaText(RuleSet& rs, const std::string& file, const std::string& text);
// matcher.cc: compiles atoms into databases and classifies rules.
Status CompileRuleSet(RuleSet& rs);
// Evaluates one atom on a parsed record (and its URL-decoded request target, and the target
// with its path normalised, when they differ from the raw one).
bool EvalAtom(const Atom& a, const logs::AccessLogRecord& r, std::string_view decoded_uri,
              hs_scratch_t* scratch, std::string_view normalized_uri = {});

}  // namespace tq::rules
