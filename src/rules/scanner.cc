// The scan: one Vectorscan call over a whole chunk of log lines finds the literal and glob
// atoms; matches are mapped back to their line, and a match of an atom bound to a field counts
// only when it lies inside that field. Lines are parsed in groups; the literals on the request
// target and the regexes on fields are searched with one scan per field per group (the
// group's values joined with '\n'), not one scan per line and rule. Only the rules an atom
// points at (plus the few that can hold without any) are then evaluated on the parsed fields,
// each atom confirmed exactly. Matches in the URL-decoded request target (and in JSON values,
// whose raw text is escaped) come from a second, per-line scan of that decoded text, only for
// lines that have one.
#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <unordered_map>

#include "rules/engine.h"

namespace tq::rules {

namespace {
// The lines of a group come as logs::ChunkParser's batches.
constexpr size_t kGroupLines = logs::ChunkParser::kBatchLines;
}  // namespace

struct Scanner::State {
  const RuleSet& rs;
  hs_scratch_t* scratch = nullptr;
  std::vector<std::pair<uint64_t, uint32_t>> matches;  // (end offset, atom)
  std::vector<uint32_t> line_atoms, cand, hits;
  std::vector<uint32_t> seen, known, rule_mark;  // stamps
  std::vector<uint32_t> group_mark, count_mark;  // stamps: per atom group, per rule
  std::vector<uint32_t> groups_seen;             // per rule: its groups with a reported atom
  std::vector<uint8_t> value;
  uint32_t stamp = 0;
  std::string decoded, normalized, side;
  std::string_view dec;   // the current line's decoded request target (empty if none)
  std::string_view norm;  // and its target with the path normalised (empty if the same)
  bool batch_mode = false;
  const std::vector<uint32_t>* chunk_atoms = nullptr;  // pattern id -> atom of the chunk scan
  bool direct = false;  // evaluate every atom on the fields (the reference, for tests)

  // A group of lines of one chunk.
  enum class Kind : uint8_t { kRecord, kEmpty, kTooLong, kBad };  // as logs::ParsedLine's
  static_assert(static_cast<int>(Kind::kBad) == static_cast<int>(logs::ParsedLine::Kind::kBad) &&
                static_cast<int>(Kind::kEmpty) ==
                    static_cast<int>(logs::ParsedLine::Kind::kEmpty) &&
                static_cast<int>(Kind::kTooLong) ==
                    static_cast<int>(logs::ParsedLine::Kind::kTooLong));
  struct Item {
    Kind kind = Kind::kBad;
    std::string_view why;
    uint64_t line_no = 0;
    size_t m_begin = 0, m_end = 0;  // chunk matches ending in the line
    size_t dec_begin = 0, dec_len = 0, norm_begin = 0, norm_len = 0;
    bool has_dec = false, has_norm = false;
  };
  std::vector<Item> items;
  const logs::AccessLogRecord* recs = nullptr;  // the group's records (the current batch's)
  logs::ChunkParser lines;                      // for ScanChunk
  // The current chunk: whether its lines come in groups, and the next of its matches.
  bool grouped = false;
  size_t mi = 0;
  std::string dec_arena, batch;
  std::vector<std::pair<uint64_t, uint32_t>> batch_raw;   // (end offset, atom) in `batch`
  std::vector<std::pair<uint32_t, uint32_t>> batch_hits;  // (item, atom)
  std::vector<const logs::AccessLogRecord*> upcoming;

  explicit State(const RuleSet& r)
      : rs(r),
        seen(r.atoms.size()),
        known(r.atoms.size()),
        rule_mark(r.rules.size()),
        group_mark(std::max(r.triggers[0].group_rule.size(), r.triggers[1].group_rule.size())),
        count_mark(r.rules.size()),
        groups_seen(r.rules.size()),
        value(r.atoms.size()) {
    if (r.scratch_proto) hs_clone_scratch(r.scratch_proto, &scratch);
    items.reserve(kGroupLines);
    for (auto& d : distinct) d.reserve(kMaxIds);
    Flatten();
  }
  ~State() {
    if (scratch) hs_free_scratch(scratch);
  }

  static int OnChunk(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                     void* ctx) {
    auto* self = static_cast<State*>(ctx);
    self->matches.emplace_back(to, (*self->chunk_atoms)[id]);
    return 0;
  }
  static int OnSide(unsigned int id, unsigned long long, unsigned long long, unsigned int,
                    void* ctx) {
    auto* self = static_cast<State*>(ctx);
    self->line_atoms.push_back(self->rs.scanned_atoms[id]);
    return 0;
  }
  static int OnBatch(unsigned int id, unsigned long long, unsigned long long to, unsigned int,
                     void* ctx) {
    auto* self = static_cast<State*>(ctx);
    self->batch_raw.emplace_back(to, id);
    return 0;
  }

  // The conditions of all rules in one flat array (kids in `flat_kids`), and per atom one
  // byte saying how it is prefiltered: evaluation walks a few compact arrays, not the rules'
  // node vectors and the large Atom records.
  struct FlatNode {
    Node::Op op;
    uint32_t arg = 0;  // kAtom: the atom; kAnd / kOr / kNot: first kid in flat_kids
    uint32_t n = 0;    // kids
  };
  std::vector<FlatNode> flat;
  std::vector<uint32_t> flat_kids, flat_root;
  enum : uint8_t { kScanned = 1, kBatched = 2 };
  std::vector<uint8_t> prefilter;  // per atom

  void Flatten() {
    for (const rules::Atom& a : rs.atoms) {
      prefilter.push_back(a.scanned ? kScanned : a.batched ? kBatched : 0);
      memo_field.push_back(Memoizable(a) ? static_cast<int8_t>(a.field) : -1);
    }
    memo_gen_of.assign(rs.atoms.size(), 0);
    memo_value.assign(rs.atoms.size(), 0);
    for (const CompiledRule& cr : rs.rules) flat_root.push_back(FlattenNode(cr, cr.root));
    atom_always.assign(rs.atoms.size(), {});
    std::vector<uint32_t> always = rs.always_rules;
    always.insert(always.end(), rs.always_rules_unbatched.begin(), rs.always_rules_unbatched.end());
    std::sort(always.begin(), always.end());
    always.erase(std::unique(always.begin(), always.end()), always.end());
    for (uint32_t rule : always)
      for (const Node& n : rs.rules[rule].nodes)
        if (n.op == Node::kAtom &&
            (atom_always[n.atom].empty() || atom_always[n.atom].back() != rule))
          atom_always[n.atom].push_back(rule);
    touched.assign(rs.rules.size(), 0);
    always_flag.assign(rs.rules.size(), 0);
  }

  // The rules that hold on lines without a reported atom of theirs are evaluated on every
  // line, but on such a line most of them depend on the method, status and protocol version
  // alone (the same from line to line), the other atoms being unknown: their value with only
  // those known (false, true or unknown) is kept while those fields stay the same, and a rule
  // is evaluated in full only when it is unknown or an atom of the rule was reported.
  std::vector<std::vector<uint32_t>> atom_always;  // atom -> always-rules using it
  std::vector<uint32_t> touched;                   // rule -> stamp of a line reporting its atom
  // Per distinct (method, status, version) seen, per always-rule and batch mode: 0 false,
  // 1 true, 2 unknown, 3 not computed yet; then per always-rule its value with every atom
  // but the memoized ones unknown (for a line that reported an atom of the rule: a filter's
  // `not cs-uri-stem|endswith: .png` matches most lines, and on them the rule was evaluated
  // in full although its status alone made it false).
  std::unordered_map<std::string, uint32_t> combo_ids;
  std::vector<std::vector<uint8_t>> combo_tri;
  uint8_t* tri = nullptr;  // combo_tri of the current line's combination
  std::string combo_key;
  enum : uint8_t { kTriF = 0, kTriT = 1, kTriU = 2, kTriNone = 3 };
  static constexpr size_t kMaxCombos = 4096;  // hostile input: many methods; then start over

  // Short values (a method, a status) compared inline, not by a call to memcmp.
  static bool Same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k)
      if (a[k] != b[k]) return false;
    return true;
  }
  // Brings the memoized fields up to the line (stamp), moving memo_epoch when one changed.
  void UpdateMemoFields(const logs::AccessLogRecord& r) {
    bool changed = false;
    for (size_t k = 0; k < 3; ++k) {
      const auto f = static_cast<logs::Field>(kMemoFields[k]);
      FieldMemo& m = field_memo[kMemoFields[k]];
      m.checked = stamp;
      bool has = r.has(f);
      std::string_view v = r.get(f);
      if (has != m.has || !Same(v, m.cur)) {
        m.has = has;
        ++m.gen;
        m.id = Intern(k, has, v);
        if (m.id >= 0) {
          m.cur = distinct[k][static_cast<size_t>(m.id)].second;  // not copied again
        } else {
          m.value.assign(v.data(), v.size());
          m.cur = m.value;
        }
        changed = true;
      }
    }
    if (!changed && tri) return;
    // A combination of values each among the first kMaxIds of its field is looked up by their
    // indices (the status changes on many lines: hashing the three values as a string was
    // most of this function's time).
    int32_t* fast = nullptr;
    const int im = field_memo[kMemoFields[0]].id, is = field_memo[kMemoFields[1]].id,
              iv = field_memo[kMemoFields[2]].id;
    if (im >= 0 && is >= 0 && iv >= 0) {
      if (combo_of_ids.empty()) combo_of_ids.assign(kMaxIds * kMaxIds * kMaxIds, -1);
      fast = &combo_of_ids[(static_cast<size_t>(im) * kMaxIds + static_cast<size_t>(is)) * kMaxIds +
                           static_cast<size_t>(iv)];
      if (*fast >= 0) {
        tri = combo_tri[static_cast<size_t>(*fast)].data();
        return;
      }
    }
    combo_key.clear();
    for (logs::Field f : {logs::Field::kMethod, logs::Field::kStatus, logs::Field::kVersion}) {
      const FieldMemo& m = field_memo[static_cast<size_t>(f)];
      uint32_t len = m.has ? static_cast<uint32_t>(m.cur.size()) : 0xffffffffu;
      combo_key.append(reinterpret_cast<const char*>(&len), sizeof len);  // has and length
      combo_key += m.cur;
    }
    auto it = combo_ids.find(combo_key);
    if (it == combo_ids.end()) {
      if (combo_ids.size() >= kMaxCombos) {
        combo_ids.clear();
        combo_tri.clear();
        std::fill(combo_of_ids.begin(), combo_of_ids.end(), -1);
      }
      it = combo_ids.emplace(combo_key, static_cast<uint32_t>(combo_tri.size())).first;
      combo_tri.emplace_back(3 * rs.rules.size(), kTriNone);
    }
    if (fast) *fast = static_cast<int32_t>(it->second);
    tri = combo_tri[it->second].data();
  }
  // The memoized fields' distinct values (with whether the field was there), the first
  // kMaxIds of each: a value's index is its id in FieldMemo.
  static constexpr size_t kMaxIds = 16;
  static constexpr size_t kMemoFields[3] = {static_cast<size_t>(logs::Field::kMethod),
                                            static_cast<size_t>(logs::Field::kStatus),
                                            static_cast<size_t>(logs::Field::kVersion)};
  std::array<std::vector<std::pair<bool, std::string>>, 3> distinct;  // reserved: never moved
  int Intern(size_t k, bool has, std::string_view v) {
    std::vector<std::pair<bool, std::string>>& d = distinct[k];
    for (size_t i = 0; i < d.size(); ++i)
      if (d[i].first == has && Same(d[i].second, v)) return static_cast<int>(i);
    if (d.size() >= kMaxIds) return -1;
    d.emplace_back(has, std::string(v));
    return static_cast<int>(d.size() - 1);
  }
  // Per (method, status, version) ids: the combination's index in combo_tri, -1 when not
  // looked up yet (kMaxIds^3 entries, made on first use).
  std::vector<int32_t> combo_of_ids;
  // The value of node n with unreported prefiltered atoms false (`loose`: unknown), memoized
  // atoms known and the others unknown.
  uint8_t Tri(uint32_t n, const logs::AccessLogRecord& r, bool loose = false) {
    const FlatNode& node = flat[n];
    const uint32_t* kids = flat_kids.data() + node.arg;
    switch (node.op) {
      case Node::kTrue: return kTriT;
      case Node::kFalse: return kTriF;
      case Node::kAtom: {
        uint8_t pf = prefilter[node.arg];
        if (pf == kScanned || (batch_mode && pf == kBatched)) return loose ? kTriU : kTriF;
        if (memo_field[node.arg] >= 0)
          return Memo(node.arg, memo_field[node.arg], r) ? kTriT : kTriF;
        return kTriU;
      }
      case Node::kNot: {
        uint8_t t = Tri(kids[0], r, loose);
        return t == kTriU ? kTriU : t == kTriT ? kTriF : kTriT;
      }
      case Node::kAnd: {
        uint8_t acc = kTriT;
        for (uint32_t k = 0; k < node.n; ++k) {
          uint8_t t = Tri(kids[k], r, loose);
          if (t == kTriF) return kTriF;
          if (t == kTriU) acc = kTriU;
        }
        return acc;
      }
      case Node::kOr: {
        uint8_t acc = kTriF;
        for (uint32_t k = 0; k < node.n; ++k) {
          uint8_t t = Tri(kids[k], r, loose);
          if (t == kTriT) return kTriT;
          if (t == kTriU) acc = kTriU;
        }
        return acc;
      }
    }
    return kTriU;
  }
  // An always-rule on the current line.
  bool EvalAlways(uint32_t rule, const logs::AccessLogRecord& r) {
    if (touched[rule] == stamp) return EvalRule(rule, r);
    uint8_t& t = tri[2 * rule + (batch_mode ? 1 : 0)];
    if (t == kTriNone) t = Tri(flat_root[rule], r);
    if (t != kTriU) return t == kTriT;
    return EvalRule(rule, r);
  }
  uint32_t FlattenNode(const CompiledRule& cr, uint32_t n) {
    const Node& node = cr.nodes[n];
    std::vector<uint32_t> kids;
    for (uint32_t k : node.kids) kids.push_back(FlattenNode(cr, k));
    FlatNode f{node.op, node.op == Node::kAtom ? node.atom : 0, 0};
    if (node.op != Node::kAtom) {
      f.arg = static_cast<uint32_t>(flat_kids.size());
      f.n = static_cast<uint32_t>(kids.size());
      flat_kids.insert(flat_kids.end(), kids.begin(), kids.end());
    }
    flat.push_back(f);
    return static_cast<uint32_t>(flat.size() - 1);
  }

  // Atoms on the method, status and protocol version depend on that one value alone, which
  // repeats from line to line: their results are kept while the value stays the same.
  static bool Memoizable(const rules::Atom& a) {
    if (a.field < 0 || a.scanned || a.batched) return false;
    auto f = static_cast<logs::Field>(a.field);
    return f == logs::Field::kMethod || f == logs::Field::kStatus || f == logs::Field::kVersion;
  }
  std::vector<int8_t> memo_field;     // per atom: the field, or -1
  std::vector<uint64_t> memo_gen_of;  // per atom: the generation its memo belongs to
  std::vector<uint8_t> memo_value;
  struct FieldMemo {
    std::string_view cur;  // the value: `value`, or the distinct value of its id
    std::string value;
    bool has = false;
    uint64_t gen = 1;
    uint32_t checked = 0;  // the stamp of the line compared last
    // The value's index among the field's distinct values (UpdateMemoFields); -1 when past
    // the first kMaxIds, or not worked out (Memo, which does not need it, moved the value).
    int id = -1;
  };
  std::array<FieldMemo, logs::kFieldCount> field_memo;

  bool Memo(uint32_t a, int f, const logs::AccessLogRecord& r) {
    FieldMemo& m = field_memo[static_cast<size_t>(f)];
    if (m.checked != stamp) {
      m.checked = stamp;
      bool has = r.has(static_cast<logs::Field>(f));
      std::string_view v = r.field[static_cast<size_t>(f)];
      if (has != m.has || !Same(v, m.cur)) {
        m.has = has;
        m.value.assign(v.data(), v.size());
        m.cur = m.value;
        ++m.gen;
        m.id = -1;
      }
    }
    if (memo_gen_of[a] != m.gen) {
      memo_gen_of[a] = m.gen;
      memo_value[a] = EvalAtom(rs.atoms[a], r, dec, scratch, norm);
    }
    return memo_value[a];
  }

  bool Atom(uint32_t a, const logs::AccessLogRecord& r) {
    if (known[a] == stamp) return value[a];
    uint8_t pf = prefilter[a];
    bool prefiltered = !direct && (pf == kScanned || (batch_mode && pf == kBatched));
    bool v;
    if (prefiltered && seen[a] != stamp)
      v = false;
    else if (memo_field[a] >= 0 && !direct)
      v = Memo(a, memo_field[a], r);
    else
      v = EvalAtom(rs.atoms[a], r, dec, scratch, norm);
    known[a] = stamp;
    value[a] = v;
    return v;
  }
  bool Eval(uint32_t n, const logs::AccessLogRecord& r) {
    const FlatNode& node = flat[n];
    const uint32_t* kids = flat_kids.data() + node.arg;
    switch (node.op) {
      case Node::kTrue: return true;
      case Node::kFalse: return false;
      case Node::kAtom: return Atom(node.arg, r);
      case Node::kNot: return !Eval(kids[0], r);
      case Node::kAnd:
        for (uint32_t k = 0; k < node.n; ++k)
          if (!Eval(kids[k], r)) return false;
        return true;
      case Node::kOr:
        for (uint32_t k = 0; k < node.n; ++k)
          if (Eval(kids[k], r)) return true;
        return false;
    }
    return false;
  }
  bool EvalRule(uint32_t rule, const logs::AccessLogRecord& r) { return Eval(flat_root[rule], r); }

  // The request target as the server saw it, beside the raw one: URL-decoded into *dec when
  // it has something encoded, and with its path normalised ("//", "./", "../", backslashes,
  // overlong UTF-8) into *norm when that changes it. Each returned false when not made.
  static bool Decode(const logs::AccessLogRecord& r, std::string* dec) {
    std::string_view uri = r.get(logs::Field::kUri);
    return (uri.find('%') != std::string_view::npos || uri.find('+') != std::string_view::npos) &&
           logs::UrlDecode(uri, dec);
  }
  static bool Normalize(const logs::AccessLogRecord& r, bool decoded, std::string_view dec,
                        std::string* norm) {
    std::string_view base = decoded ? dec : r.get(logs::Field::kUri);
    return logs::MayNeedNormalizing(base) && logs::NormalizeTarget(base, norm);
  }
  void SetVariants(const logs::AccessLogRecord& r) {
    decoded.clear();
    bool d = Decode(r, &decoded);
    dec = d ? std::string_view(decoded) : std::string_view();
    norm =
        Normalize(r, d, decoded, &normalized) ? std::string_view(normalized) : std::string_view();
  }

  // line_atoms holds the prefiltered atoms reported for this line, `dec` its decoded request
  // target. `json`: the field values are searched too (their raw text is escaped).
  void EvaluateLine(const logs::AccessLogRecord& r, bool json) {
    if (rs.chunk_db && (!dec.empty() || !norm.empty() || json)) {
      side.clear();
      side = dec;
      if (!norm.empty()) (side += '\n') += norm;
      if (json)
        for (size_t f = 0; f < logs::kFieldCount; ++f)
          if (r.present & (1u << f)) (side += '\n') += r.field[f];
      hs_scan(rs.chunk_db, side.data(), static_cast<unsigned>(side.size()), 0, scratch, OnSide,
              this);
    }
    ++stamp;
    if (stamp == 0) {  // wrapped: clear the stamps
      std::fill(seen.begin(), seen.end(), 0);
      std::fill(known.begin(), known.end(), 0);
      std::fill(rule_mark.begin(), rule_mark.end(), 0);
      std::fill(touched.begin(), touched.end(), 0);
      std::fill(group_mark.begin(), group_mark.end(), 0);
      std::fill(count_mark.begin(), count_mark.end(), 0);
      for (FieldMemo& m : field_memo) m.checked = 0;
      stamp = 1;
    }
    UpdateMemoFields(r);
    cand.clear();
    hits.clear();
    // A rule is a candidate once each of its atom groups has a reported atom.
    const RuleSet::Triggers& tg = rs.triggers[batch_mode ? 1 : 0];
    for (uint32_t a : line_atoms) {
      if (seen[a] == stamp) continue;
      seen[a] = stamp;
      for (uint32_t k = tg.atom_begin[a]; k < tg.atom_begin[a + 1]; ++k) {
        uint32_t g = tg.group_ids[k];
        if (group_mark[g] == stamp) continue;
        group_mark[g] = stamp;
        uint32_t rule = tg.group_rule[g];
        if (count_mark[rule] != stamp) {
          count_mark[rule] = stamp;
          groups_seen[rule] = 0;
        }
        if (++groups_seen[rule] == tg.rule_groups[rule]) {
          rule_mark[rule] = stamp;
          cand.push_back(rule);
        }
      }
      for (uint32_t rule : atom_always[a]) touched[rule] = stamp;
    }
    size_t from_atoms = cand.size();
    // The always-rules not reached by an atom, but for those their memo already says are
    // false on this line's method, status and version (on most lines, all of them).
    const size_t mode = batch_mode ? 1 : 0;
    for (uint32_t rule : batch_mode ? rs.always_rules : rs.always_rules_unbatched) {
      if (rule_mark[rule] == stamp) continue;
      if (touched[rule] != stamp) {
        uint8_t& t = tri[2 * rule + mode];
        if (t == kTriNone) t = Tri(flat_root[rule], r);
        if (t == kTriF) continue;
      } else {
        // False whatever its other atoms are (the mode does not matter: no atom is assumed).
        uint8_t& t = tri[2 * rs.rules.size() + rule];
        if (t == kTriNone) t = Tri(flat_root[rule], r, true);
        if (t == kTriF) continue;
      }
      rule_mark[rule] = stamp;
      cand.push_back(rule);
    }
    if (cand.empty()) return;
    // Rules in index order (hits are reported so); the always-rules not reached by an atom
    // go through their memo.
    for (size_t k = 0; k < from_atoms; ++k) always_mark(cand[k]) = 0;
    for (size_t k = from_atoms; k < cand.size(); ++k) always_mark(cand[k]) = 1;
    if (cand.size() > 1) std::sort(cand.begin(), cand.end());
    for (uint32_t rule : cand)
      if (always_mark(rule) ? EvalAlways(rule, r) : EvalRule(rule, r)) hits.push_back(rule);
  }
  std::vector<uint8_t> always_flag;
  uint8_t& always_mark(uint32_t rule) { return always_flag[rule]; }

  // The per-field prefilter of the batched atoms over the group's records.
  void BatchScan() {
    batch_hits.clear();
    constexpr auto kUri = static_cast<size_t>(logs::Field::kUri);
    constexpr uint32_t kNoPath = UINT32_MAX;
    for (size_t f = 0; f < logs::kFieldCount; ++f) {
      const hs_database_t* db = rs.field_db[f];
      if (!db) continue;
      auto field = static_cast<logs::Field>(f);
      bool uri_part = field == logs::Field::kUri || field == logs::Field::kUriStem ||
                      field == logs::Field::kQuery;
      const std::vector<uint32_t>& atoms = rs.field_atoms[f];
      // The request target's database also holds the path's literals (RuleSet::uri_path_first):
      // each value scanned then says whether it is a request target, and where its path ends.
      const bool with_path = f == kUri && rs.uri_path_first < atoms.size();
      batch.clear();
      segs.clear();
      // A value followed by '\n' (no pattern matches across values). `target`: it is a value
      // of this field; `path`: the length of its path (kNoPath when it is no path's value).
      auto add = [&](std::string_view v, uint32_t item, bool target, uint32_t path) {
        segs.push_back({batch.size(), item, target, path});
        batch.append(v);  // (a resize would first zero the bytes copied over)
        batch.push_back('\n');
      };
      auto path_of = [](std::string_view target) {
        size_t q = target.find('?');
        return static_cast<uint32_t>(q == std::string_view::npos ? target.size() : q);
      };
      for (uint32_t i = 0; i < items.size(); ++i) {
        const Item& it = items[i];
        if (it.kind != Kind::kRecord) continue;
        const logs::AccessLogRecord& r = recs[i];
        bool target = r.has(field);
        bool path = with_path && r.has(logs::Field::kUriStem);
        if (!target && !path) continue;
        std::string_view v = r.get(field);
        if (with_path) {
          // The path as a prefix of the target when the parser split it off the target (the
          // same bytes); otherwise (logged apart) a value of its own.
          std::string_view p = r.get(logs::Field::kUriStem);
          bool prefix = target && path && p.data() == v.data() && p.size() <= v.size();
          if (target) add(v, i, true, prefix ? static_cast<uint32_t>(p.size()) : kNoPath);
          if (path && !prefix) add(p, i, false, static_cast<uint32_t>(p.size()));
        } else {
          add(v, i, true, kNoPath);
        }
        if (!uri_part) continue;
        // The decoded and normalised variants EvalAtom also looks at (the normalised one
        // differs in its path only).
        if (it.has_dec) {
          std::string_view d(dec_arena.data() + it.dec_begin, it.dec_len);
          size_t q = d.find('?');
          if (field == logs::Field::kUri)
            add(d, i, target, path ? path_of(d) : kNoPath);
          else if (field == logs::Field::kUriStem)
            add(d.substr(0, q), i, true, kNoPath);
          else if (q != std::string_view::npos)
            add(d.substr(q + 1), i, true, kNoPath);
        }
        if (it.has_norm && field != logs::Field::kQuery) {
          std::string_view n(dec_arena.data() + it.norm_begin, it.norm_len);
          if (field == logs::Field::kUri)
            add(n, i, target, path ? path_of(n) : kNoPath);
          else
            add(n.substr(0, n.find('?')), i, true, kNoPath);
        }
      }
      if (segs.empty()) continue;
      batch_raw.clear();
      hs_scan(db, batch.data(), static_cast<unsigned>(batch.size()), 0, scratch, OnBatch, this);
      // Matches come in order of their end (a cursor follows them; a binary search, should
      // one come earlier).
      size_t k = 0;  // the value a match ending at `to` ends in: the last starting before `to`
      for (auto [to, id] : batch_raw) {
        if (k > 0 && segs[k - 1].start >= to) k = 0;
        if (k == 0)
          k = static_cast<size_t>(
              std::lower_bound(segs.begin(), segs.end(), to,
                               [](const Seg& sg, uint64_t at) { return sg.start < at; }) -
              segs.begin());
        while (k < segs.size() && segs[k].start < to) ++k;
        if (k == 0) continue;  // cannot happen: matches are at least one byte long
        const Seg& sg = segs[k - 1];
        if (id < rs.uri_path_first || !with_path) {
          if (!sg.target) continue;
        } else if (sg.path == kNoPath || to > sg.start + sg.path) {
          continue;  // a literal of the path: not in this path
        }
        batch_hits.emplace_back(sg.item, atoms[id]);
      }
    }
    // Grouped by line, in line order (a counting sort: a line's atoms may come in any order
    // and repeat; EvaluateLine takes each once).
    item_start.assign(items.size() + 1, 0);
    for (auto [item, atom] : batch_hits) ++item_start[item + 1];
    for (size_t i = 1; i < item_start.size(); ++i) item_start[i] += item_start[i - 1];
    sorted_hits.resize(batch_hits.size());
    for (auto hit : batch_hits) sorted_hits[item_start[hit.first]++] = hit;
    batch_hits.swap(sorted_hits);
  }
  // A value in `batch`: where it starts, its line, whether it is a value of the field scanned,
  // and the length of its path (the target's database also searches for the path's literals).
  struct Seg {
    size_t start;
    uint32_t item;
    bool target;
    uint32_t path;
  };
  std::vector<Seg> segs;
  std::vector<uint32_t> item_start;
  std::vector<std::pair<uint32_t, uint32_t>> sorted_hits;

  // Evaluates and reports the group's lines in order.
  void FlushGroup(std::string_view chunk, LineSink& sink) {
    batch_mode = true;
    BatchScan();
    upcoming.clear();
    for (uint32_t i = 0; i < items.size(); ++i)
      if (items[i].kind == Kind::kRecord) upcoming.push_back(&recs[i]);
    sink.Upcoming(upcoming);
    size_t bh = 0;
    for (uint32_t i = 0; i < items.size(); ++i) {
      const Item& it = items[i];
      switch (it.kind) {
        case Kind::kEmpty: sink.OnSkip("empty line", it.line_no); continue;
        case Kind::kTooLong: sink.OnSkip("line too long", it.line_no); continue;
        case Kind::kBad: sink.OnSkip(it.why, it.line_no); continue;
        case Kind::kRecord: break;
      }
      const logs::AccessLogRecord& rec = recs[i];
      line_atoms.clear();
      for (size_t m = it.m_begin; m < it.m_end; ++m) {
        auto [to, a] = matches[m];
        const rules::Atom& atom = rs.atoms[a];
        if (atom.span) {  // a literal bound to a field: only inside that field
          std::string_view v = rec.field[static_cast<size_t>(atom.field)];
          if (!rec.has(static_cast<logs::Field>(atom.field)) || v.data() == nullptr) continue;
          uint64_t fs = static_cast<uint64_t>(v.data() - chunk.data());
          if (to < fs + atom.span || to > fs + v.size()) continue;
        }
        line_atoms.push_back(a);
      }
      while (bh < batch_hits.size() && batch_hits[bh].first < i) ++bh;
      for (; bh < batch_hits.size() && batch_hits[bh].first == i; ++bh)
        line_atoms.push_back(batch_hits[bh].second);
      dec = it.has_dec ? std::string_view(dec_arena.data() + it.dec_begin, it.dec_len)
                       : std::string_view();
      norm = it.has_norm ? std::string_view(dec_arena.data() + it.norm_begin, it.norm_len)
                         : std::string_view();
      EvaluateLine(rec, false);
      sink.OnRecord(rec, hits);
    }
    items.clear();
    dec_arena.clear();
  }
};

Scanner::Scanner(const RuleSet& rs) : s_(std::make_unique<State>(rs)) {}
Scanner::~Scanner() = default;

void Scanner::OnChunk(std::string_view chunk, bool batched) {
  State& s = *s_;
  s.matches.clear();
  s.mi = 0;
  s.items.clear();
  s.dec_arena.clear();
  // Records whose fields point into the chunk are kept for a group of lines and matched
  // together; others (JSON values unescaped into the parser's buffer) line by line. Grouped
  // lines have their request-target literals searched in the fields, not in the chunk.
  s.grouped = batched;
  const hs_database_t* db = batched ? s.rs.chunk_db_grouped : s.rs.chunk_db;
  s.chunk_atoms = batched ? &s.rs.scanned_atoms_grouped : &s.rs.scanned_atoms;
  if (db && !chunk.empty())
    hs_scan(db, chunk.data(), static_cast<unsigned>(chunk.size()), 0, s.scratch, State::OnChunk,
            &s);
  // Vectorscan reports in end-offset order per pattern set; sort to be safe.
  if (!std::is_sorted(s.matches.begin(), s.matches.end()))
    std::sort(s.matches.begin(), s.matches.end());
}

void Scanner::Match(std::string_view chunk, std::span<const logs::ParsedLine> lines,
                    std::span<const logs::AccessLogRecord> records, LineSink& sink) {
  State& s = *s_;
  // Fields not in the line as they are (JSON values unescaped, a path and query joined) are
  // searched too.
  const bool grouped = s.grouped;
  const bool json = !grouped;
  s.recs = records.data();
  for (size_t i = 0; i < lines.size(); ++i) {
    const logs::ParsedLine& l = lines[i];
    size_t m_begin = s.mi;
    while (s.mi < s.matches.size() && s.matches[s.mi].first <= l.end) {
      if (s.matches[s.mi].first <= l.begin) m_begin = s.mi + 1;  // before the line (cannot happen)
      ++s.mi;
    }
    State::Item it;
    it.line_no = l.line_no;
    it.m_begin = m_begin;
    it.m_end = s.mi;
    it.why = l.why;
    it.kind = static_cast<State::Kind>(l.kind);
    const logs::AccessLogRecord& r = records[i];
    if (grouped) {
      if (it.kind == State::Kind::kRecord) {
        if (State::Decode(r, &s.decoded)) {
          it.has_dec = true;
          it.dec_begin = s.dec_arena.size();
          it.dec_len = s.decoded.size();
          s.dec_arena += s.decoded;
        }
        if (State::Normalize(r, it.has_dec, s.decoded, &s.normalized)) {
          it.has_norm = true;
          it.norm_begin = s.dec_arena.size();
          it.norm_len = s.normalized.size();
          s.dec_arena += s.normalized;
        }
      }
      s.items.push_back(it);
    } else if (it.kind == State::Kind::kRecord) {
      s.batch_mode = false;
      s.line_atoms.clear();
      for (size_t m = it.m_begin; m < it.m_end; ++m) s.line_atoms.push_back(s.matches[m].second);
      s.SetVariants(r);
      s.EvaluateLine(r, json);
      sink.OnRecord(r, s.hits);
    } else {
      sink.OnSkip(l.SkipReason(), l.line_no);
    }
  }
  if (grouped && !s.items.empty()) s.FlushGroup(chunk, sink);
}

void Scanner::ScanChunk(std::string_view chunk, uint64_t first_line, uint64_t offset,
                        logs::LineParser& parser, LineSink& sink, size_t max_line) {
  MatchingSink m(*this, sink);
  s_->lines.Parse(chunk, first_line, offset, parser, max_line, m);
}

std::vector<uint32_t> Scanner::MatchLine(std::string_view line, logs::LineParser& parser) {
  struct Collect : LineSink {
    std::vector<uint32_t> hits;
    void OnRecord(const logs::AccessLogRecord&, std::span<const uint32_t> h) override {
      hits.assign(h.begin(), h.end());
    }
    void OnSkip(std::string_view, uint64_t) override {}
  } sink;
  std::string buf(line);
  buf += '\n';
  ScanChunk(buf, 1, 0, parser, sink);
  return sink.hits;
}

std::vector<uint32_t> Scanner::MatchLineDirect(std::string_view line, logs::LineParser& parser) {
  State& s = *s_;
  std::vector<uint32_t> out;
  logs::AccessLogRecord rec;
  std::string_view why;
  if (line.empty() || !parser.Parse(line, rec, &why)) return out;
  s.SetVariants(rec);
  s.direct = true;
  ++s.stamp;
  if (s.stamp == 0) {
    std::fill(s.known.begin(), s.known.end(), 0);
    s.stamp = 1;
  }
  for (uint32_t r = 0; r < s.rs.rules.size(); ++r)
    if (s.EvalRule(r, rec)) out.push_back(r);
  s.direct = false;
  return out;
}

}  // namespace tq::rules
