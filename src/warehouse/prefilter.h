// Implementation header of the warehouse component (its .cc files only): the cluster scan's two
// halves. ClickHouse 18.16 analyses a query in time that grows faster than its number of
// function calls (400 calls: 2 s; 3,000: 7 minutes; the shipped pack written out atom by atom
// did not finish in 110 s on 100,000 rows), so the pack is not sent as one WHERE per rule. The
// cluster runs a prefilter of a few calls, one regular expression per column holding every literal
// a rule needs, which keeps every row any rule could match (a superset); the rows it returns are
// then matched here by the rules component's own atom evaluation, so hits are exactly those of a
// local scan. Rules that may hold with none of their atoms true (`not filter` alone) go as their
// exact SQL (RuleSql).
#pragma once

#include <hs/hs.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "warehouse/warehouse.h"

namespace tq::warehouse {

struct Prefilter {
  std::string where;                 // the WHERE clause ("0" when nothing can match)
  std::vector<uint32_t> rules;       // the rules it serves (reporting, or feeding correlations)
  std::vector<std::string> not_run;  // "rule id: why"
  size_t exact_rules = 0;            // rules sent as their exact SQL
  size_t calls = 0;                  // function calls in `where`, roughly
  // What the returned rows are matched with here (RecordMatcher): the atoms of the pieces by
  // where they are looked for ("3" a field, "-1" keywords, "x:name" an extra column), the atoms
  // tested as SQL terms, the rules to evaluate on every row, and per atom the rules whose
  // chosen group holds it (a rule is evaluated on a row only when one of those holds).
  std::map<std::string, std::vector<uint32_t>> key_atoms;
  std::vector<uint32_t> term_atoms;
  std::vector<uint32_t> every_row;
  std::vector<std::vector<uint32_t>> atom_rules;
};
// How many rows of a sample of the table each SQL condition holds on (one count per condition,
// in order); fewer counts than conditions when the server could not say.
using EstimateRows =
    std::function<std::vector<int64_t>(const std::vector<std::string>& conditions)>;

// `re2_ok` says whether the server compiles a regular expression (atoms whose regex it does not
// are left out of the prefilter). `estimate`, when given, picks among a rule's sufficient groups
// of atoms the one the table's rows make rarest.
Prefilter BuildPrefilter(const rules::RuleSet& rs, const ColumnMap& map, const ServerFeatures& f,
                         const std::function<bool(const std::string&)>& re2_ok,
                         const EstimateRows& estimate = {});

// One atom's exact SQL (sql.cc), and the URL-decoded target as SQL ("" when the table has
// neither target_decoded nor target).
bool AtomSql(const rules::RuleSet& rs, const rules::Atom& a, const ColumnMap& map,
             const ServerFeatures& f, std::string* sql, std::string* why);
std::string DecodedTargetSql(const ColumnMap& map);

// A regular expression matching `lit` as written (RE2 syntax; bytes past ASCII as they are).
std::string Re2Literal(std::string_view lit);

// The request target as the server saw it, exactly as the local scanner makes it: URL-decoded
// when something is encoded (else ""), and path-normalised when that changes it (else "").
void TargetVariants(std::string_view target, std::string* decoded, std::string* normalized);

// Matches records with the local matcher's atoms: first the prefilter's atoms, through one
// Vectorscan database per place (as the cluster did, so only the rules that may hold are
// evaluated), then those rules' whole conditions.
class RecordMatcher {
 public:
  RecordMatcher(const rules::RuleSet& rs, const Prefilter& pf);
  ~RecordMatcher();
  RecordMatcher(const RecordMatcher&) = delete;
  RecordMatcher& operator=(const RecordMatcher&) = delete;
  // `rec`'s target variants are computed here.
  void Match(const logs::AccessLogRecord& rec, std::vector<uint32_t>* hits);

 private:
  bool Eval(const rules::CompiledRule& r, uint32_t n, const logs::AccessLogRecord& rec);
  const rules::RuleSet& rs_;
  const Prefilter& pf_;
  hs_scratch_t* scratch_ = nullptr;
  struct Place {
    int field = -1;     // logs::Field, -1 keywords, kExtraField
    std::string extra;  // kExtraField's name
    hs_database_t* db = nullptr;
    hs_scratch_t* scratch = nullptr;
    std::vector<uint32_t> atoms;  // pattern id -> atom
  };
  std::vector<Place> places_;
  std::vector<uint32_t> seen_;  // rule -> last row it was queued for
  uint32_t row_ = 0;
  std::vector<uint32_t> queue_;
  std::string dec_, norm_;
};

}  // namespace tq::warehouse
