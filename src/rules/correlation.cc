// Loading Sigma correlations: `correlation:` documents (Sigma 2: event_count, value_count,
// temporal, temporal_ordered, with group-by, timespan, condition, aliases, generate) and the
// older aggregation in a rule's condition (`selection | count(field) by X > N` with
// `detection.timeframe`), then resolving what they refer to (rules and other correlations, by
// name or id, across files). Anything not understood skips the correlation with file, line and
// reason, and the rules it referred to keep reporting on their own.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>

#include "rules/engine.h"

namespace tq::rules {

std::string_view CorrelationTypeName(CorrelationType t) {
  switch (t) {
    case CorrelationType::kEventCount: return "event_count";
    case CorrelationType::kValueCount: return "value_count";
    case CorrelationType::kTemporal: return "temporal";
    case CorrelationType::kTemporalOrdered: return "temporal_ordered";
  }
  return "?";
}

bool CountCondition::Holds(uint64_t n) const {
  return (!gt || n > *gt) && (!gte || n >= *gte) && (!lt || n < *lt) && (!lte || n <= *lte) &&
         (!eq || n == *eq) && (!neq || n != *neq);
}
bool CountCondition::OnlyLowerBound() const { return !lt && !lte && !eq && !neq; }
uint64_t CountCondition::LowerBound() const {
  uint64_t b = 0;
  if (gt) b = std::max(b, *gt + 1);
  if (gte) b = std::max(b, *gte);
  if (eq) b = std::max(b, *eq);
  return b;
}
std::string CountCondition::ToString() const {
  std::string s;
  auto add = [&](const char* op, const std::optional<uint64_t>& v) {
    if (!v) return;
    if (!s.empty()) s += " and ";
    s += std::string(op) + " " + std::to_string(*v);
  };
  add("gt", gt), add("gte", gte), add("lt", lt), add("lte", lte), add("eq", eq), add("neq", neq);
  return s;
}

bool ParseTimespan(std::string_view s, int64_t* micros) {
  if (s.size() < 2 || s.size() > 9) return false;
  int64_t n = 0;
  for (char c : s.substr(0, s.size() - 1)) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  int64_t unit = 0;
  switch (s.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return false;
  }
  if (n <= 0 || n * unit > 366 * 86400) return false;  // a year at most
  *micros = n * unit * 1000000;
  return true;
}

namespace {

// Counts past this need a window state larger than a group should hold; no sensible
// correlation over access logs asks for them.
constexpr uint64_t kMaxThreshold = 100000;

struct CorrSkip {
  int line;
  std::string reason;
};

std::string Str(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }
int Line(const YAML::Node& n) { return n.Mark().line + 1; }

std::vector<std::string> StrList(const YAML::Node& n, const char* what) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& e : n) {
      if (!e.IsScalar()) throw CorrSkip{Line(e), std::string(what) + ": expected names"};
      out.push_back(e.Scalar());
    }
  } else if (!n.IsNull()) {
    throw CorrSkip{Line(n), std::string(what) + ": expected a name or a list of names"};
  }
  return out;
}

uint64_t Count(const YAML::Node& v, const std::string& op) {
  std::string s = Str(v);
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), ::isdigit))
    throw CorrSkip{Line(v), "condition " + op + ": '" + s + "' is not a count"};
  uint64_t n = std::stoull(s);
  if (n > kMaxThreshold)
    throw CorrSkip{Line(v), "condition " + op + ": " + s + " is above the supported " +
                                std::to_string(kMaxThreshold)};
  return n;
}

void SetOp(CountCondition& c, const std::string& op, uint64_t n, int line) {
  std::optional<uint64_t>* slot = op == "gt"    ? &c.gt
                                  : op == "gte" ? &c.gte
                                  : op == "lt"  ? &c.lt
                                  : op == "lte" ? &c.lte
                                  : op == "eq"  ? &c.eq
                                  : op == "neq" ? &c.neq
                                                : nullptr;
  if (!slot) throw CorrSkip{line, "condition: unknown criterion '" + op + "'"};
  if (*slot) throw CorrSkip{line, "condition: '" + op + "' given twice"};
  *slot = n;
}

// A condition that can never hold would make a silent rule: refused.
void CheckSatisfiable(const CountCondition& c, int line) {
  for (uint64_t n = c.LowerBound(); n <= c.LowerBound() + 2; ++n)
    if (c.Holds(n)) return;
  uint64_t hi = c.lt ? *c.lt : c.lte ? *c.lte + 1 : 0;
  for (uint64_t n = 0; n < hi && n <= kMaxThreshold; ++n)
    if (c.Holds(n)) return;
  throw CorrSkip{line, "condition " + c.ToString() + " never holds"};
}

}  // namespace

void LoadCorrelationDoc(RuleSet& rs, const std::string& file, const YAML::Node& doc) {
  CorrelationInfo ci;
  ci.file = file;
  ci.line = doc["title"] ? Line(doc["title"]) : Line(doc);
  ci.title = Str(doc["title"]);
  ci.id = Str(doc["id"]);
  ci.name = Str(doc["name"]);
  ci.status = Str(doc["status"]);
  ci.level = Str(doc["level"]);
  ci.description = Str(doc["description"]);
  try {
    for (const char* k : {"tags", "references"})
      for (std::string& t : StrList(doc[k], k))
        (std::string_view(k) == "tags" ? ci.tags : ci.references).push_back(std::move(t));
    if (ci.title.empty()) throw CorrSkip{ci.line, "no title"};
    YAML::Node c = doc["correlation"];
    if (!c.IsMap()) throw CorrSkip{Line(c), "correlation: expected a map"};
    std::string type = Str(c["type"]);
    if (type == "event_count")
      ci.type = CorrelationType::kEventCount;
    else if (type == "value_count")
      ci.type = CorrelationType::kValueCount;
    else if (type == "temporal")
      ci.type = CorrelationType::kTemporal;
    else if (type == "temporal_ordered")
      ci.type = CorrelationType::kTemporalOrdered;
    else
      throw CorrSkip{c["type"] ? Line(c["type"]) : Line(c),
                     type.empty() ? "correlation: no type"
                                  : "correlation type '" + type + "' is not supported"};
    ci.rules = StrList(c["rules"], "rules");
    if (ci.rules.empty()) throw CorrSkip{Line(c), "correlation: no rules"};
    if (ci.rules.size() > 64) throw CorrSkip{Line(c["rules"]), "correlation: over 64 rules"};
    ci.group_by = StrList(c["group-by"], "group-by");
    if (ci.group_by.size() > 8) throw CorrSkip{Line(c["group-by"]), "group-by: over 8 fields"};
    // `timespan` in the specification; `timeframe` as in Sigma 1 rules is read too.
    YAML::Node ts = c["timespan"] ? c["timespan"] : c["timeframe"];
    if (!ts) throw CorrSkip{Line(c), "correlation: no timespan"};
    if (!ParseTimespan(Str(ts), &ci.timespan))
      throw CorrSkip{Line(ts), "timespan '" + Str(ts) + "' is not a number and s, m, h or d"};
    YAML::Node cond = c["condition"];
    if (cond && !cond.IsMap()) throw CorrSkip{Line(cond), "condition: expected a map"};
    if (cond) {
      for (const auto& kv : cond) {
        std::string op = Str(kv.first);
        if (op == "field") {
          ci.field = Str(kv.second);
          continue;
        }
        SetOp(ci.condition, op, Count(kv.second, op), Line(kv.first));
      }
    }
    if (ci.field.empty()) ci.field = Str(c["field"]);  // where later drafts put it
    bool counting =
        ci.type == CorrelationType::kEventCount || ci.type == CorrelationType::kValueCount;
    if (ci.condition.ToString().empty()) {
      if (counting) throw CorrSkip{Line(c), "correlation: no condition"};
      ci.condition.gte = ci.rules.size();  // temporal: every rule referred to
    }
    if (ci.type == CorrelationType::kValueCount && ci.field.empty())
      throw CorrSkip{cond ? Line(cond) : Line(c), "value_count needs condition: field"};
    if (ci.type == CorrelationType::kTemporalOrdered &&
        ci.condition.ToString() != "gte " + std::to_string(ci.rules.size()))
      throw CorrSkip{Line(cond),
                     "temporal_ordered takes no condition other than every rule in order"};
    CheckSatisfiable(ci.condition, cond ? Line(cond) : Line(c));
    YAML::Node gen = doc["generate"] ? doc["generate"] : c["generate"];
    if (gen) {
      std::string g = Str(gen);
      if (g != "true" && g != "false") throw CorrSkip{Line(gen), "generate: expected true/false"};
      ci.generate = g == "true";
    }
    if (YAML::Node al = c["aliases"]) {
      if (!al.IsMap()) throw CorrSkip{Line(al), "aliases: expected a map"};
      for (const auto& a : al) {
        if (!a.second.IsMap())
          throw CorrSkip{Line(a.second), "alias " + Str(a.first) + ": expected rule: field"};
        std::vector<std::pair<std::string, std::string>> m;
        for (const auto& rf : a.second) m.emplace_back(Str(rf.first), Str(rf.second));
        ci.aliases.emplace_back(Str(a.first), std::move(m));
      }
    }
  } catch (const CorrSkip& s) {
    rs.skipped.push_back(MakeRuleProblem(file, s.line, ci.title, s.reason));
    return;
  }
  rs.corr_info.push_back(std::move(ci));
  rs.corr.emplace_back();
}

bool ParseAggregation(std::string_view cond, size_t bar, std::string_view timeframe,
                      CorrelationInfo* out, std::string* why) {
  // count ( [field] ) [by f1[, f2]] op number, after the bar
  std::string_view agg = cond;
  size_t p = bar + 1;
  auto space = [&] {
    while (p < agg.size() && isspace(static_cast<unsigned char>(agg[p]))) ++p;
  };
  auto word = [&]() -> std::string_view {
    space();
    size_t b = p;
    while (p < agg.size() && (isalnum(static_cast<unsigned char>(agg[p])) || agg[p] == '-' ||
                              agg[p] == '_' || agg[p] == '.'))
      ++p;
    return agg.substr(b, p - b);
  };
  size_t at = p;  // where the part being read starts, for errors
  auto fail = [&](const std::string& m) {
    *why = "condition col " + std::to_string(at + 1) + ": " + m;
    return false;
  };
  space();
  at = p;
  std::string_view fn = word();
  if (fn != "count")
    return fail(fn.empty() ? "expected count()"
                           : "'" + std::string(fn) + "' is not supported (only count)");
  space();
  at = p;
  if (p >= agg.size() || agg[p] != '(') return fail("expected '('");
  ++p;
  std::string field(word());
  space();
  at = p;
  if (p >= agg.size() || agg[p] != ')') return fail("expected ')'");
  ++p;
  std::vector<std::string> by;
  size_t save = p;
  if (word() == "by") {
    do {
      space();
      at = p;
      std::string_view f = word();
      if (f.empty()) return fail("expected a field after 'by'");
      by.emplace_back(f);
      if (by.size() > 8) return fail("more than 8 fields after 'by'");
      space();
    } while (p < agg.size() && agg[p] == ',' && ++p);
  } else {
    p = save;
  }
  space();
  at = p;
  std::string op;
  while (p < agg.size() && std::string_view("<>=!").find(agg[p]) != std::string_view::npos)
    op += agg[p++];
  std::string_view num = word();
  if (num.empty() || num.size() > 9 || !std::all_of(num.begin(), num.end(), ::isdigit))
    return fail("expected a comparison with a count");
  space();
  at = p;
  if (p != agg.size()) return fail("unexpected '" + std::string(agg.substr(p, 10)) + "'");
  uint64_t n = std::stoull(std::string(num));
  if (n > kMaxThreshold) return fail("count above the supported " + std::to_string(kMaxThreshold));
  CountCondition c;
  if (op == ">")
    c.gt = n;
  else if (op == ">=")
    c.gte = n;
  else if (op == "<")
    c.lt = n;
  else if (op == "<=")
    c.lte = n;
  else if (op == "=" || op == "==")
    c.eq = n;
  else if (op == "!=")
    c.neq = n;
  else
    return fail("unknown comparison '" + op + "'");
  out->type = field.empty() ? CorrelationType::kEventCount : CorrelationType::kValueCount;
  out->field = field;
  out->group_by = by;
  out->condition = c;
  out->legacy = true;
  out->generate = false;
  if (timeframe.empty()) {
    // Sigma 1 without a timeframe counts over the whole search: here, a year.
    out->timespan = int64_t{366} * 86400 * 1000000;
  } else if (!ParseTimespan(timeframe, &out->timespan)) {
    *why = "timeframe '" + std::string(timeframe) + "' is not a number and s, m, h or d";
    return false;
  }
  return true;
}

void AddLegacyCorrelation(RuleSet& rs, uint32_t rule, CorrelationInfo info) {
  info.rules = {rs.info[rule].id.empty() ? rs.info[rule].title : rs.info[rule].id};
  rs.corr_info.push_back(std::move(info));
  CompiledCorrelation cc;
  cc.legacy_rule = static_cast<int>(rule);
  rs.corr.push_back(std::move(cc));
}

namespace {

// The field `name` (a group-by entry or value_count's field, after aliases) names in the
// events of `src`.
bool ResolveField(const RuleSet& rs, const CorrelationInfo& ci, const CorrelationSource& src,
                  const std::string& name, CorrelationField* out, std::string* why) {
  std::string field = name;
  const std::string& src_name =
      src.is_correlation ? rs.corr_info[src.index].name : rs.info[src.index].name;
  for (const auto& [alias, map] : ci.aliases) {
    if (alias != name) continue;
    bool found = false;
    for (const auto& [rule, f] : map)
      if (rule == src_name && !src_name.empty()) field = f, found = true;
    if (!found) {
      *why = "alias '" + name + "' names no field for rule '" +
             (src_name.empty() ? "(unnamed)" : src_name) + "'";
      return false;
    }
  }
  // `field/N`: the field's address reduced to its network.
  if (size_t slash = field.rfind('/');
      slash != std::string::npos && slash + 1 < field.size() && field.size() - slash <= 4 &&
      std::all_of(field.begin() + static_cast<ptrdiff_t>(slash) + 1, field.end(), ::isdigit)) {
    out->prefix = std::stoi(field.substr(slash + 1));
    field.resize(slash);
    if (out->prefix < 8 || out->prefix > 128) {
      *why = "'" + name + "': a network prefix is 8 to 128 bits";
      return false;
    }
  }
  if (src.is_correlation) {
    if (out->prefix >= 0) {
      *why = "'" + name + "': a network prefix needs an address field of a rule";
      return false;
    }
    const CorrelationInfo& inner = rs.corr_info[src.index];
    auto it = std::find(inner.group_by.begin(), inner.group_by.end(), field);
    if (it == inner.group_by.end()) {
      *why =
          "'" + field + "' is not among the group-by fields of correlation '" + inner.title + "'";
      return false;
    }
    out->inner_pos = static_cast<int>(it - inner.group_by.begin());
    return true;
  }
  logs::Field f;
  if (logs::FieldFromSigmaName(field, &f)) {
    out->field = static_cast<int>(f);
  } else {
    out->field = kExtraField;
    out->extra = field;
  }
  return true;
}

}  // namespace

void ResolveCorrelations(RuleSet& rs) {
  std::map<std::string, CorrelationSource> by_name;  // names and ids
  // A name or id given twice (in two files, say) is ambiguous: a correlation naming it is
  // skipped rather than linked to whichever loaded first.
  std::map<std::string, std::vector<std::string>> where;  // name -> "file:line" of each
  auto add = [&](const std::string& k, CorrelationSource src, const std::string& file, int line) {
    if (k.empty()) return;
    by_name.emplace(k, src);
    where[k].push_back(file + ":" + std::to_string(line));
  };
  for (uint32_t i = 0; i < rs.info.size(); ++i) {
    add(rs.info[i].id, {false, i}, rs.info[i].file, rs.info[i].line);
    if (rs.info[i].name != rs.info[i].id)
      add(rs.info[i].name, {false, i}, rs.info[i].file, rs.info[i].line);
  }
  for (uint32_t i = 0; i < rs.corr_info.size(); ++i) {
    const CorrelationInfo& ci = rs.corr_info[i];
    if (ci.legacy) continue;  // it has its rule's id
    add(ci.id, {true, i}, ci.file, ci.line);
    if (ci.name != ci.id) add(ci.name, {true, i}, ci.file, ci.line);
  }
  std::vector<std::string> problem(rs.corr_info.size());
  for (uint32_t i = 0; i < rs.corr_info.size(); ++i) {
    CorrelationInfo& ci = rs.corr_info[i];
    CompiledCorrelation& cc = rs.corr[i];
    cc.sources.clear();
    if (cc.legacy_rule >= 0) {
      cc.sources.push_back({false, static_cast<uint32_t>(cc.legacy_rule)});
    } else {
      for (const std::string& r : ci.rules) {
        auto it = by_name.find(r);
        if (it == by_name.end()) {
          problem[i] = "refers to '" + r + "', which is no loaded rule or correlation";
          break;
        }
        if (const auto& w = where[r]; w.size() > 1) {
          problem[i] =
              "refers to '" + r + "', which names more than one rule (" + w[0] + ", " + w[1] + ")";
          break;
        }
        if (it->second.is_correlation && it->second.index == i) {
          problem[i] = "refers to itself";
          break;
        }
        cc.sources.push_back(it->second);
      }
    }
    if (!problem[i].empty()) continue;
    cc.group_fields.assign(cc.sources.size(), {});
    cc.value_field.assign(cc.sources.size(), {});
    for (size_t s = 0; s < cc.sources.size() && problem[i].empty(); ++s) {
      for (const std::string& g : ci.group_by) {
        CorrelationField f;
        if (!ResolveField(rs, ci, cc.sources[s], g, &f, &problem[i])) break;
        cc.group_fields[s].push_back(f);
      }
      if (problem[i].empty() && ci.type == CorrelationType::kValueCount) {
        if (cc.sources[s].is_correlation)
          problem[i] = "value_count over a correlation's hits is not supported";
        else
          ResolveField(rs, ci, cc.sources[s], ci.field, &cc.value_field[s], &problem[i]);
      }
    }
  }
  // Order inner before outer (depth-first); a cycle, or a correlation over a skipped one, is
  // a problem of every correlation on it.
  std::vector<int> state(rs.corr_info.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<uint32_t> order;
  std::function<bool(uint32_t)> visit = [&](uint32_t i) -> bool {
    if (state[i] == 2) return problem[i].empty();
    if (state[i] == 1) {
      problem[i] = "correlations refer to each other in a cycle";
      return false;
    }
    state[i] = 1;
    if (problem[i].empty())
      for (const CorrelationSource& s : rs.corr[i].sources)
        if (s.is_correlation && !visit(s.index) && problem[i].empty())
          problem[i] =
              "refers to correlation '" + rs.corr_info[s.index].title + "', which did not load";
    state[i] = 2;
    if (problem[i].empty()) order.push_back(i);
    return problem[i].empty();
  };
  for (uint32_t i = 0; i < rs.corr_info.size(); ++i) visit(i);
  // Keep the good ones, renumbered.
  std::vector<int> renum(rs.corr_info.size(), -1);
  std::vector<CorrelationInfo> info;
  std::vector<CompiledCorrelation> corr;
  for (uint32_t i = 0; i < rs.corr_info.size(); ++i) {
    if (!problem[i].empty()) {
      const CorrelationInfo& ci = rs.corr_info[i];
      rs.skipped.push_back(MakeRuleProblem(ci.file, ci.line, ci.title, problem[i]));
      continue;
    }
    renum[i] = static_cast<int>(info.size());
    info.push_back(std::move(rs.corr_info[i]));
    corr.push_back(std::move(rs.corr[i]));
  }
  for (CompiledCorrelation& cc : corr)
    for (CorrelationSource& s : cc.sources)
      if (s.is_correlation) s.index = static_cast<uint32_t>(renum[s.index]);
  rs.corr_order.clear();
  for (uint32_t i : order) rs.corr_order.push_back(static_cast<uint32_t>(renum[i]));
  rs.corr_info = std::move(info);
  rs.corr = std::move(corr);
  // Which correlations each rule feeds; a rule referred to only by correlations that do not
  // generate reports no hits of its own.
  rs.rule_corr.assign(rs.info.size(), {});
  std::vector<int> referred(rs.info.size(), 0);  // 1: by non-generating only, 2: generate
  for (uint32_t c = 0; c < rs.corr.size(); ++c) {
    for (uint32_t s = 0; s < rs.corr[c].sources.size(); ++s) {
      const CorrelationSource& src = rs.corr[c].sources[s];
      if (src.is_correlation) continue;
      rs.rule_corr[src.index].emplace_back(c, s);
      int want = rs.corr_info[c].generate ? 2 : 1;
      referred[src.index] = std::max(referred[src.index], want);
    }
  }
  for (uint32_t r = 0; r < rs.info.size(); ++r) rs.info[r].generate = referred[r] != 1;
}

}  // namespace tq::rules
