// Correlation events and their evaluation (see correlation_events.h for why the events are
// collected first). Windows:
//  - A window is closed at both ends: events `timespan` apart still fall in one window.
//  - Conditions with only a lower bound (gt, gte; temporal's default "every rule") are tested
//    on a sliding window ending at each event, and fire as soon as they hold. A group keeps
//    only what can decide that: event_count its latest N events, value_count the latest event
//    of each of its N most recently seen values, temporal the latest event per rule,
//    temporal_ordered the latest-starting chain per rule. N is the threshold (at most 100,000).
//  - Conditions with an upper bound (lt, lte, eq, neq, ranges) need whole windows: a group's
//    window opens at its first event after the previous window closed, closes `timespan`
//    later, and is tested then. A window without events is never tested (absence is not seen).
//  - One hit per burst: while the condition keeps holding for a group, within `timespan` of the
//    hit's last event, the hit grows (its events, its last time) instead of a new one starting.
//  - Events whose group-by field (or value_count's field) is empty or "-" are not counted and
//    are counted as such; so are events without a timestamp.
//  - A correlation over another correlation sees each of the inner one's hits as one event, at
//    the time its condition first held, carrying its group-by values.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <unordered_set>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "rules/correlation_events.h"

namespace tq::rules {
namespace {

bool Missing(std::string_view v) { return v.empty() || v == "-"; }

// `v`'s network of `prefix` bits ("198.51.100.0/24"), or "" when it is no address (an IPv4
// prefix past 32 keeps the whole address).
std::string_view Network(std::string_view v, int prefix, std::string* tmp) {
  logs::IpAddress a;
  if (!logs::ParseAddress(v, &a)) return {};
  bool v4 = std::all_of(a.bytes.begin(), a.bytes.begin() + 10, [](uint8_t b) { return b == 0; }) &&
            a.bytes[10] == 0xff && a.bytes[11] == 0xff;
  int bits = v4 ? std::min(prefix, 32) + 96 : prefix;
  for (int i = 0; i < 16; ++i) {
    int keep = std::clamp(bits - i * 8, 0, 8);
    a.bytes[static_cast<size_t>(i)] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  char buf[64];
  if (v4)
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u/%d", a.bytes[12], a.bytes[13], a.bytes[14],
                  a.bytes[15], bits - 96);
  else
    std::snprintf(buf, sizeof buf,
                  "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x/%d",
                  a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3], a.bytes[4], a.bytes[5],
                  a.bytes[6], a.bytes[7], a.bytes[8], a.bytes[9], a.bytes[10], a.bytes[11],
                  a.bytes[12], a.bytes[13], a.bytes[14], a.bytes[15], bits);
  *tmp = buf;
  return *tmp;
}

std::string_view FieldValue(const logs::AccessLogRecord& r, const CorrelationField& f,
                            std::string* tmp) {
  std::string_view v;
  if (f.field >= 0)
    v = r.field[static_cast<size_t>(f.field)];
  else if (f.field == kExtraField && r.source && r.source->ExtraField(r.line, f.extra, tmp))
    v = *tmp;
  if (f.prefix >= 0 && !v.empty()) {
    std::string copy(v);
    return Network(copy, f.prefix, tmp);
  }
  return v;
}

uint64_t Hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

uint64_t KeyOf(const std::vector<std::string_view>& values) {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  for (std::string_view v : values) {
    XXH3_64bits_update(&st, v.data(), v.size());
    XXH3_64bits_update(&st, "\x1f", 1);
  }
  return XXH3_64bits_digest(&st);
}

constexpr size_t kMaxGroupValue = 1024;

}  // namespace

// ---- GroupTable ----
// A group's entry in a chunk: the number of values, then each as 2 bytes of length (values
// are capped at kMaxGroupValue) and its bytes.
constexpr size_t kChunk = size_t{1} << 20;

const GroupTable::Slot* GroupTable::Find(uint64_t key) const {
  if (slots_.empty()) return nullptr;
  key = Fix(key);
  size_t mask = slots_.size() - 1;
  for (size_t i = key & mask;; i = (i + 1) & mask) {
    if (slots_[i].key == key) return &slots_[i];
    if (slots_[i].key == 0) return nullptr;
  }
}

size_t GroupTable::Cost(std::span<const std::string_view> values) {
  size_t n = 4 * sizeof(Slot) + 1;  // slots at a load between a quarter and a half
  for (std::string_view v : values) n += 2 + v.size();
  return n;
}

void GroupTable::Insert(uint64_t key, std::span<const std::string_view> values) {
  if ((n_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<size_t>(1024, old.size() * 2), Slot{});
    for (const Slot& sl : old)
      if (sl.key) {
        size_t i = sl.key & (slots_.size() - 1);
        while (slots_[i].key) i = (i + 1) & (slots_.size() - 1);
        slots_[i] = sl;
      }
  }
  std::string entry(1, static_cast<char>(values.size()));
  for (std::string_view v : values) {
    v = v.substr(0, kMaxGroupValue);
    entry += static_cast<char>(v.size() & 0xff);
    entry += static_cast<char>(v.size() >> 8);
    entry += v;
  }
  if (chunks_.empty() || chunks_.back().size() + entry.size() > kChunk) {
    chunks_.emplace_back();
    chunks_.back().reserve(kChunk);
  }
  uint64_t ref = (static_cast<uint64_t>(chunks_.size() - 1) << 32) | chunks_.back().size();
  chunks_.back() += entry;
  key = Fix(key);
  size_t i = key & (slots_.size() - 1);
  while (slots_[i].key) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = {key, ref};
  ++n_;
}

std::vector<std::string> GroupTable::Get(uint64_t key) const {
  std::vector<std::string> out;
  const Slot* sl = Find(key);
  if (!sl) return out;
  const std::string& c = chunks_[sl->ref >> 32];
  size_t p = sl->ref & 0xffffffffu;
  size_t n = static_cast<uint8_t>(c[p++]);
  for (size_t k = 0; k < n; ++k) {
    size_t len =
        static_cast<uint8_t>(c[p]) | (static_cast<size_t>(static_cast<uint8_t>(c[p + 1])) << 8);
    out.emplace_back(c.substr(p + 2, len));
    p += 2 + len;
  }
  return out;
}

size_t GroupTable::MergeFrom(GroupTable& o) {
  if (n_ == 0) {  // the first unit merged: taken whole
    std::swap(*this, o);
    return 0;
  }
  // The values are read in place from o's entries (no copy of each group's strings: the last
  // unit's merge is in the single-threaded tail). An entry is its value count, then each value
  // as two bytes of length and the bytes, so a group's Cost is its slots' share and the
  // entry's size.
  size_t had = 0;
  std::vector<std::string_view> views;
  for (const Slot& sl : o.slots_) {
    if (!sl.key) continue;
    const std::string& c = o.chunks_[sl.ref >> 32];
    const size_t start = sl.ref & 0xffffffffu;
    if (Contains(sl.key)) {
      size_t p = start;
      size_t n = static_cast<uint8_t>(c[p++]);
      for (size_t k = 0; k < n; ++k)
        p += 2 + (static_cast<uint8_t>(c[p]) |
                  (static_cast<size_t>(static_cast<uint8_t>(c[p + 1])) << 8));
      had += 4 * sizeof(Slot) + (p - start);
      continue;
    }
    views.clear();
    size_t p = start;
    size_t n = static_cast<uint8_t>(c[p++]);
    for (size_t k = 0; k < n; ++k) {
      size_t len =
          static_cast<uint8_t>(c[p]) | (static_cast<size_t>(static_cast<uint8_t>(c[p + 1])) << 8);
      views.push_back(std::string_view(c).substr(p + 2, len));
      p += 2 + len;
    }
    Insert(sl.key, views);
  }
  return had;
}

bool CorrelationEvents::Take(size_t bytes) {
  if (!budget_.Take(bytes)) return false;
  bytes_ += bytes;
  return true;
}

void CorrelationEvents::Add(const logs::AccessLogRecord& r, std::span<const uint32_t> hits,
                            uint32_t input) {
  std::vector<std::string_view>& values = values_;
  std::vector<std::string>& tmp = tmp_;
  for (uint32_t h : hits) {
    if (h >= rs_.rule_corr.size()) continue;
    for (auto [c, s] : rs_.rule_corr[h]) {
      const CompiledCorrelation& cc = rs_.corr[c];
      if (!r.has_time) {
        ++stats_.events_without_time;
        continue;
      }
      const auto& fields = cc.group_fields[s];
      values.assign(fields.size(), {});
      tmp.resize(fields.size() + 1);
      bool missing = false;
      for (size_t g = 0; g < fields.size() && !missing; ++g) {
        values[g] = FieldValue(r, fields[g], &tmp[g]).substr(0, kMaxGroupValue);
        missing = Missing(values[g]);
      }
      uint64_t value = 0;
      if (!missing && rs_.corr_info[c].type == CorrelationType::kValueCount) {
        std::string_view v = FieldValue(r, cc.value_field[s], &tmp.back());
        missing = Missing(v);
        value = Hash(v);
      }
      if (missing) {
        ++stats_.events_missing_group;
        continue;
      }
      uint64_t key = KeyOf(values);
      size_t need = sizeof(CorrelationEvent);
      bool new_group = !groups_.Contains(key);
      if (new_group) need += GroupTable::Cost(values);
      if (!Take(need)) {
        ++stats_.events_dropped;
        continue;
      }
      if (new_group) groups_.Insert(key, values);
      CorrelationEvent e;
      e.time = r.time;
      e.line_no = r.line_no;
      e.offset = r.offset;
      e.key = key;
      e.value = value;
      e.input = input;
      e.corr = static_cast<uint16_t>(c);
      e.source = static_cast<uint16_t>(s);
      events_.push_back(e);
      ++stats_.events;
    }
  }
}

void CorrelationEvents::Shift(uint64_t lines, uint64_t offset) {
  for (CorrelationEvent& e : events_) e.line_no += lines, e.offset += offset;
}

void CorrelationEvents::Merge(CorrelationEvents& o) {
  stats_.events += o.stats_.events;
  stats_.events_without_time += o.stats_.events_without_time;
  stats_.events_missing_group += o.stats_.events_missing_group;
  stats_.events_dropped += o.stats_.events_dropped;
  for (const CorrelationEvent& e : o.events_) events_.push_back(e);
  o.events_ = {};
  size_t freed = groups_.MergeFrom(o.groups_);  // groups known here: their copies go
  o.groups_ = GroupTable();
  bytes_ += o.bytes_ - freed;
  budget_.Give(freed);
  o.bytes_ = 0;
}

namespace {

constexpr size_t kMaxEpisodeValues = 100000;

struct Member {
  UnixMicros time = 0;
  uint64_t seq = 0;
  uint64_t value = 0;  // value_count: the counted field's hash
  int64_t inner = -1;  // a hit of an inner correlation (index into the output)
  CorrelationEventRef ref;
};

// One event of a correlation's stream: a log event, or an inner correlation's hit.
struct StreamEvent {
  UnixMicros time;
  uint64_t key, value;
  uint32_t source;
  Member m;
};

class Evaluator {
 public:
  Evaluator(const RuleSet& rs, uint32_t corr, std::vector<CorrelationHit>& out, GroupTable& groups,
            CorrelationStats& stats)
      : rs_(rs),
        ci_(rs.corr_info[corr]),
        corr_(corr),
        out_(out),
        groups_(groups),
        stats_(stats),
        first_hit_(out.size()),
        sliding_(ci_.condition.OnlyLowerBound()),
        need_(std::max<uint64_t>(1, ci_.condition.LowerBound())) {
    // Whole windows only need distinct values up to just past the largest bound.
    for (const auto& b : {ci_.condition.gt, ci_.condition.gte, ci_.condition.lt, ci_.condition.lte,
                          ci_.condition.eq, ci_.condition.neq})
      if (b) distinct_cap_ = std::max<uint64_t>(distinct_cap_, *b + 1);
  }

  void Add(const StreamEvent& e) {
    Group& g = groups_state_[e.key];
    g.last = e.time;
    now_ = e.time;
    if (sliding_)
      Slide(g, e);
    else
      Tumble(g, e);
    if (++since_prune_ >= std::max<size_t>(4096, groups_state_.size())) Prune(false);
  }

  void Finish() {
    Prune(true);
    // Deterministic order whatever the hash map's: by first time, then group.
    std::sort(out_.begin() + static_cast<ptrdiff_t>(first_hit_), out_.end(),
              [](const CorrelationHit& a, const CorrelationHit& b) {
                return std::tie(a.first_time, a.fired_at, a.group) <
                       std::tie(b.first_time, b.fired_at, b.group);
              });
    for (size_t i = first_hit_; i < out_.size(); ++i)
      std::sort(out_[i].members.begin(), out_[i].members.end(),
                [](const CorrelationEventRef& a, const CorrelationEventRef& b) {
                  return std::tie(a.time, a.input, a.line_no) <
                         std::tie(b.time, b.input, b.line_no);
                });
  }

 private:
  struct Chain {
    bool valid = false;
    UnixMicros start = 0;
    std::vector<Member> ms;
  };
  struct Group {
    UnixMicros last = 0;
    // event_count: the latest events, at most need_ of them, oldest at ring[head].
    std::vector<Member> ring;
    size_t head = 0, filled = 0;
    std::vector<std::pair<uint64_t, Member>> values;  // value_count
    std::vector<std::optional<Member>> latest;        // temporal
    std::vector<Chain> chain;                         // temporal_ordered
    bool open = false;                                // whole windows
    UnixMicros start = 0;
    uint64_t count = 0;
    std::vector<uint64_t> distinct;
    std::vector<Member> ms;
    int64_t episode = -1;  // the hit this group's burst grows
    uint64_t last_seq = 0;
    // value_count: the distinct values of the open burst (the window keeps only N of them),
    // up to kMaxEpisodeValues.
    std::unordered_set<uint64_t> episode_values;
    uint64_t key = 0;
  };

  void Slide(Group& g, const StreamEvent& e) {
    const int64_t lo = e.time - ci_.timespan;
    std::vector<const Member*>& window = window_;
    window.clear();
    uint64_t n = 0;
    switch (ci_.type) {
      case CorrelationType::kEventCount: {
        // A ring of need_ slots, grown as events come (most groups never fill it).
        if (g.filled == g.ring.size() && g.ring.size() < need_) {
          std::rotate(g.ring.begin(), g.ring.begin() + static_cast<ptrdiff_t>(g.head),
                      g.ring.end());
          g.head = 0;
          g.ring.push_back(e.m);
          ++g.filled;
        } else if (g.filled < g.ring.size()) {
          g.ring[(g.head + g.filled++) % g.ring.size()] = e.m;
        } else {  // full: the oldest goes
          g.ring[g.head] = e.m;
          g.head = (g.head + 1) % g.ring.size();
        }
        while (g.filled && g.ring[g.head].time < lo)
          g.head = (g.head + 1) % g.ring.size(), --g.filled;
        n = g.filled;
        for (size_t k = 0; k < g.filled; ++k)
          window.push_back(&g.ring[(g.head + k) % g.ring.size()]);
        break;
      }
      case CorrelationType::kValueCount: {
        auto it = std::find_if(g.values.begin(), g.values.end(),
                               [&](const auto& v) { return v.first == e.value; });
        if (it != g.values.end())
          it->second = e.m;
        else
          g.values.emplace_back(e.value, e.m);
        std::erase_if(g.values, [&](const auto& v) { return v.second.time < lo; });
        if (g.values.size() > need_) {
          auto oldest = std::min_element(g.values.begin(), g.values.end(), [](auto& a, auto& b) {
            return a.second.seq < b.second.seq;
          });
          g.values.erase(oldest);
        }
        n = g.values.size();
        for (const auto& v : g.values) window.push_back(&v.second);
        break;
      }
      case CorrelationType::kTemporal: {
        g.latest.resize(rs_.corr[corr_].sources.size());
        g.latest[e.source] = e.m;
        for (const auto& m : g.latest)
          if (m && m->time >= lo) window.push_back(&*m), ++n;
        break;
      }
      case CorrelationType::kTemporalOrdered: {
        size_t last = rs_.corr[corr_].sources.size() - 1;
        g.chain.resize(last + 1);
        Chain cand;
        if (e.source == 0) {
          cand = {true, e.time, {e.m}};
        } else if (g.chain[e.source - 1].valid && g.chain[e.source - 1].start >= lo) {
          cand = g.chain[e.source - 1];
          cand.ms.push_back(e.m);
        }
        Chain& slot = g.chain[e.source];
        if (cand.valid && (!slot.valid || cand.start >= slot.start)) slot = std::move(cand);
        if (e.source == last && g.chain[last].valid && g.chain[last].start >= lo) {
          n = last + 1;
          for (const Member& m : g.chain[last].ms) window.push_back(&m);
        }
        break;
      }
    }
    if (n && ci_.condition.Holds(n)) Fire(g, e.key, e.time, window, n);
    if (ci_.type == CorrelationType::kValueCount && g.episode >= 0 &&
        out_[static_cast<size_t>(g.episode)].last_time >= e.time - ci_.timespan &&
        g.episode_values.size() < kMaxEpisodeValues) {
      // Values seen while the burst lasts count towards its distinct values.
      g.episode_values.insert(e.value);
      CorrelationHit& h = out_[static_cast<size_t>(g.episode)];
      h.distinct = std::max<uint64_t>(h.distinct, g.episode_values.size());
    }
  }

  void Tumble(Group& g, const StreamEvent& e) {
    if (g.open && e.time > g.start + ci_.timespan) Close(g, e.key);
    if (!g.open) {
      g.open = true;
      g.start = e.time;
      g.count = 0;
      g.distinct.clear();
      g.ms.clear();
    }
    ++g.count;
    uint64_t d = ci_.type == CorrelationType::kValueCount ? e.value : e.source;
    if (g.distinct.size() < distinct_cap_ &&
        std::find(g.distinct.begin(), g.distinct.end(), d) == g.distinct.end())
      g.distinct.push_back(d);
    if (g.ms.size() < CorrelationHit::kMaxMembers) g.ms.push_back(e.m);
  }

  void Close(Group& g, uint64_t key) {
    g.open = false;
    uint64_t n = ci_.type == CorrelationType::kEventCount ? g.count : g.distinct.size();
    if (!ci_.condition.Holds(n)) return;
    CorrelationHit* h = NewHit(key);
    if (!h) return;
    h->first_time = g.start;
    h->fired_at = g.start + ci_.timespan;
    h->events = g.count;
    h->distinct = g.distinct.size();
    for (const Member& m : g.ms) AddMember(*h, m);
  }

  CorrelationHit* NewHit(uint64_t key) {
    if (out_.size() - first_hit_ >= CorrelationStats::kMaxHits) {
      ++stats_.hits_dropped;
      return nullptr;
    }
    CorrelationHit& h = out_.emplace_back();
    h.correlation = corr_;
    h.group = groups_.Get(key);
    return &h;
  }

  void AddMember(CorrelationHit& h, const Member& m) {
    h.last_time = std::max(h.last_time, m.time);
    if (m.inner >= 0) {
      for (const CorrelationEventRef& r : out_[static_cast<size_t>(m.inner)].members)
        if (h.members.size() < CorrelationHit::kMaxMembers) h.members.push_back(r);
      return;
    }
    if (h.members.size() < CorrelationHit::kMaxMembers) h.members.push_back(m.ref);
  }

  void Fire(Group& g, uint64_t key, UnixMicros t, const std::vector<const Member*>& window,
            uint64_t n) {
    uint64_t max_seq = g.last_seq;
    if (g.episode >= 0 && out_[static_cast<size_t>(g.episode)].last_time >= t - ci_.timespan) {
      CorrelationHit& h = out_[static_cast<size_t>(g.episode)];
      for (const Member* m : window) {
        if (m->seq <= g.last_seq) continue;
        ++h.events;
        AddMember(h, *m);
        max_seq = std::max(max_seq, m->seq);
      }
      h.distinct = std::max(h.distinct, n);
    } else {
      g.episode_values.clear();
      for (const Member* m : window)
        if (ci_.type == CorrelationType::kValueCount) g.episode_values.insert(m->value);
      CorrelationHit* h = NewHit(key);
      g.episode = h ? static_cast<int64_t>(h - out_.data()) : -1;
      if (h) {
        h->fired_at = t;
        h->first_time = t;
        h->events = window.size();
        h->distinct = n;
        for (const Member* m : window) h->first_time = std::min(h->first_time, m->time);
        for (const Member* m : window) AddMember(*h, *m);
      }
      for (const Member* m : window) max_seq = std::max(max_seq, m->seq);
    }
    g.last_seq = max_seq;
    // A finished ordered chain starts over: the next hit needs a new first event.
    if (ci_.type == CorrelationType::kTemporalOrdered) g.chain.back().valid = false;
  }

  // Closes the whole windows that have ended and forgets groups with nothing in the window
  // (all of them at the end).
  void Prune(bool all) {
    since_prune_ = 0;
    for (auto it = groups_state_.begin(); it != groups_state_.end();) {
      Group& g = it->second;
      if (g.open && (all || now_ > g.start + ci_.timespan)) Close(g, it->first);
      if (!g.open && (all || g.last < now_ - ci_.timespan))
        it = groups_state_.erase(it);
      else
        ++it;
    }
  }

  const RuleSet& rs_;
  const CorrelationInfo& ci_;
  uint32_t corr_;
  std::vector<CorrelationHit>& out_;
  GroupTable& groups_;
  CorrelationStats& stats_;
  size_t first_hit_;
  bool sliding_;
  uint64_t need_;
  uint64_t distinct_cap_ = 1;
  std::unordered_map<uint64_t, Group> groups_state_;
  std::vector<const Member*> window_;  // scratch
  UnixMicros now_ = 0;
  size_t since_prune_ = 0;
};

}  // namespace

std::vector<CorrelationHit> CorrelationEvents::Evaluate() {
  std::vector<CorrelationHit> out;
  if (rs_.corr.empty()) return out;
  // By correlation, then time; at one time in file order, and for one line the later rule of
  // a temporal_ordered list first (a line matching two of its rules is not an order by itself).
  std::sort(events_.begin(), events_.end(),
            [](const CorrelationEvent& a, const CorrelationEvent& b) {
              return std::tie(a.corr, a.time, a.input, a.line_no, b.source) <
                     std::tie(b.corr, b.time, b.input, b.line_no, a.source);
            });
  std::vector<std::vector<size_t>> hits_of(rs_.corr.size());
  uint64_t seq = 0;
  std::vector<StreamEvent> chained;
  for (uint32_t c : rs_.corr_order) {
    const CompiledCorrelation& cc = rs_.corr[c];
    // The inner correlations' hits, as events of this one.
    chained.clear();
    for (uint32_t s = 0; s < cc.sources.size(); ++s) {
      if (!cc.sources[s].is_correlation) continue;
      for (size_t hi : hits_of[cc.sources[s].index]) {
        const CorrelationHit& h = out[hi];
        std::vector<std::string_view> vals;
        for (const CorrelationField& f : cc.group_fields[s])
          vals.push_back(static_cast<size_t>(f.inner_pos) < h.group.size()
                             ? std::string_view(h.group[static_cast<size_t>(f.inner_pos)])
                             : std::string_view());
        uint64_t key = KeyOf(vals);
        if (!groups_.Contains(key)) groups_.Insert(key, vals);
        StreamEvent e{h.fired_at, key, 0, s,
                      Member{h.fired_at, 0, 0, static_cast<int64_t>(hi), {}}};
        chained.push_back(e);
      }
    }
    std::stable_sort(chained.begin(), chained.end(),
                     [](const StreamEvent& a, const StreamEvent& b) { return a.time < b.time; });
    auto lo = std::lower_bound(events_.begin(), events_.end(), c,
                               [](const CorrelationEvent& e, uint32_t v) { return e.corr < v; });
    auto hi = std::upper_bound(lo, events_.end(), c,
                               [](uint32_t v, const CorrelationEvent& e) { return v < e.corr; });
    size_t first = out.size();
    Evaluator ev(rs_, c, out, groups_, stats_);
    size_t k = 0;
    for (auto it = lo; it != hi || k < chained.size();) {
      if (it != hi && (k >= chained.size() || it->time <= chained[k].time)) {
        const CorrelationEvent& e = *it++;
        uint32_t rule = cc.sources[e.source].index;
        StreamEvent se{
            e.time, e.key, e.value, e.source,
            Member{e.time, ++seq, e.value, -1, {e.input, rule, e.line_no, e.offset, e.time}}};
        ev.Add(se);
      } else {
        StreamEvent se = chained[k++];
        se.m.seq = ++seq;
        ev.Add(se);
      }
    }
    ev.Finish();
    for (size_t i = first; i < out.size(); ++i) hits_of[c].push_back(i);
  }
  events_ = {};
  budget_.Give(bytes_);
  bytes_ = 0;
  return out;
}

}  // namespace tq::rules
