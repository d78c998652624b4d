// W3C extended log files (the W3C working draft "Extended Log File Format", as IIS, CloudFront
// and many appliances write it): `#` directives, of which `#Fields:` names the columns of the
// lines that follow and may change anywhere in the file (IIS starts a new block when its
// logging options change), `#Date:` the date for `time` columns without a `date`. Values are
// separated by spaces (IIS, with `+` for a space inside one) or by tabs (CloudFront); `-` is
// an empty value; a value may be a "quoted string". Times are UTC.
#include <strings.h>

#include <climits>
#include <cstring>
#include <optional>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

enum class Col : uint8_t {
  kIgnore,
  kField,  // a taxonomy field as it is
  kDate,
  kTime,
  kUriStem,
  kUriQuery,
  kUri,  // the whole target (cs-uri)
  kForwardedFor,
};
struct Column {
  Col col = Col::kIgnore;
  Field field = Field::kCount;
};

Column ColumnOf(std::string_view name) {
  std::string n;
  for (char c : name) n += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (n == "date") return {Col::kDate};
  if (n == "time") return {Col::kTime};
  if (n == "cs-uri-stem") return {Col::kUriStem};
  if (n == "cs-uri-query") return {Col::kUriQuery};
  if (n == "cs-uri") return {Col::kUri};
  if (n == "x-forwarded-for" || n == "cs(x-forwarded-for)") return {Col::kForwardedFor};
  if (n == "cs(host)" || n == "x-host-header") return {Col::kField, Field::kHost};
  if (n == "cs-protocol-version") return {Col::kField, Field::kVersion};
  Field f;
  if (FieldFromSigmaName(n, &f) && f != Field::kUri && f != Field::kQuery) return {Col::kField, f};
  return {};
}

int Digits2(std::string_view s, size_t i) {
  if (i + 1 >= s.size() || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9') return -1;
  return (s[i] - '0') * 10 + (s[i + 1] - '0');
}

// "2025-10-10" to days since the epoch.
bool ParseDate(std::string_view s, int64_t* days) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y1 = Digits2(s, 0), y2 = Digits2(s, 2), m = Digits2(s, 5), d = Digits2(s, 8);
  if (y1 < 0 || y2 < 0 || m < 0 || d < 0) return false;
  int y = y1 * 100 + y2;
  if (!CheckCivil(y, m, d, 0, 0, 0).empty()) return false;
  *days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

// "13:55:36", "13:55", "13:55:36.123" (fractions to nanoseconds, kept to microseconds).
bool ParseClock(std::string_view s, int64_t* micros) {
  if (s.size() < 5 || s[2] != ':') return false;
  int h = Digits2(s, 0), m = Digits2(s, 3), sec = 0;
  size_t pos = 5;
  if (pos < s.size()) {
    if (s[pos] != ':' || (sec = Digits2(s, pos + 1)) < 0) return false;
    pos += 3;
  }
  if (h < 0 || h > 23 || m < 0 || m > 59 || sec > 60) return false;
  int64_t frac = 0;
  if (pos < s.size()) {
    if (s[pos] != '.') return false;
    int n = 0;
    for (++pos; pos < s.size(); ++pos, ++n) {
      if (s[pos] < '0' || s[pos] > '9' || n >= 9) return false;
      if (n < 6) frac = frac * 10 + (s[pos] - '0');
    }
    if (n == 0) return false;
    for (; n < 6; ++n) frac *= 10;
  }
  *micros = (int64_t{h} * 3600 + m * 60 + sec) * 1000000 + frac;
  return true;
}

class W3cParser : public LineParser {
 public:
  const std::string& name() const override { return name_; }
  std::unique_ptr<LineParser> Clone() const override {
    auto p = std::make_unique<W3cParser>(*this);
    return p;
  }
  bool Stateful() const override { return true; }

  bool Parse(std::string_view line, AccessLogRecord& r, std::string_view* reason) override {
    r.present = 0;
    r.field = {};
    r.has_time = false;
    r.line = line;
    r.source = nullptr;
    if (line.starts_with('#')) {
      Directive(line);
      return Fail(reason, kSkipDirective);
    }
    if (columns_.empty()) return Fail(reason, "no #Fields: directive before the line");
    char sep = line.find('\t') != std::string_view::npos ? '\t' : ' ';
    // Values rewritten for the record (header values, the joined target) are appended here:
    // never more than twice the line, so the views stay valid.
    buf_.clear();
    buf_.reserve(2 * line.size() + 2);
    std::string_view date, clock, stem, query, uri, xff;
    size_t pos = 0, k = 0;
    for (; pos <= line.size(); ++k) {
      std::string_view v;
      if (pos < line.size() && line[pos] == '"') {  // "quoted", "" inside for a quote
        size_t e = pos + 1;
        for (;;) {
          e = line.find('"', e);
          if (e == std::string_view::npos) return Fail(reason, "unterminated quoted value");
          if (e + 1 < line.size() && line[e + 1] == '"') {
            e += 2;
            continue;
          }
          break;
        }
        v = line.substr(pos + 1, e - pos - 1);
        pos = e + 1;
        if (pos < line.size() && line[pos] != sep) return Fail(reason, "text after a quoted value");
      } else {
        size_t e = line.find(sep, pos);
        if (e == std::string_view::npos) e = line.size();
        v = line.substr(pos, e - pos);
        pos = e;
      }
      ++pos;  // the separator
      if (sep == ' ')
        while (pos < line.size() && line[pos] == ' ') ++pos;
      if (k >= columns_.size()) return Fail(reason, "more values than #Fields: names");
      if (v == "-") v = {};
      const Column& c = columns_[k];
      switch (c.col) {
        case Col::kIgnore: break;
        case Col::kField:
          // IIS writes the spaces of a header value as '+': rules expect the spaces.
          if (sep == ' ' &&
              (c.field == Field::kUserAgent || c.field == Field::kReferer ||
               c.field == Field::kCookie) &&
              v.find('+') != std::string_view::npos) {
            size_t at = buf_.size();
            for (char ch : v) buf_ += ch == '+' ? ' ' : ch;
            v = std::string_view(buf_.data() + at, v.size());
          }
          SetRecordField(r, c.field, v);
          break;
        case Col::kDate: date = v; break;
        case Col::kTime: clock = v; break;
        case Col::kUriStem: stem = v; break;
        case Col::kUriQuery: query = v; break;
        case Col::kUri: uri = v; break;
        case Col::kForwardedFor: xff = v; break;
      }
    }
    if (k != columns_.size()) return Fail(reason, "fewer values than #Fields: names");
    {  // without a c-ip column there is no client either: not a record to attribute
      std::string_view peer = r.get(Field::kClientIp);
      if (!has_client_ || ClassifyClient(peer) == AddressKind::kNone)
        return Fail(reason, kSkipClient);
      std::string_view c = ForwardedClient(peer, xff, trusted());
      if (c.data() != peer.data()) {
        SetRecordField(r, Field::kPeerIp, peer);
        SetRecordField(r, Field::kClientIp, c);
      }
    }
    if (r.has(Field::kStatus)) {
      std::string_view st = r.get(Field::kStatus);
      if (st.size() != 3 || !isdigit(static_cast<unsigned char>(st[0])) ||
          !isdigit(static_cast<unsigned char>(st[1])) ||
          !isdigit(static_cast<unsigned char>(st[2])))
        return Fail(reason, "bad status");
    }
    // The target: cs-uri as logged, else the stem and the query joined.
    if (!uri.empty()) {
      SplitTarget(r, uri);
    } else if (has_stem_) {
      if (query.empty()) {
        SplitTarget(r, stem);
      } else {
        size_t at = buf_.size();
        buf_ += stem;
        buf_ += '?';
        buf_ += query;
        SetRecordField(r, Field::kUri, std::string_view(buf_.data() + at, buf_.size() - at));
        SetRecordField(r, Field::kUriStem, stem);
        SetRecordField(r, Field::kQuery, query);
      }
    }
    if (!clock.empty()) {
      int64_t days = day_, micros;
      if (!date.empty() && !ParseDate(date, &days)) return Fail(reason, "bad date");
      if (days == kNoDay || !ParseClock(clock, &micros)) return Fail(reason, "bad timestamp");
      r.time = days * 86400 * 1000000 + micros;
      r.has_time = true;
    }
    return true;
  }

 private:
  static constexpr int64_t kNoDay = INT64_MIN;
  static bool Fail(std::string_view* reason, std::string_view why) {
    *reason = why;
    return false;
  }
  void Directive(std::string_view line) {
    auto value = [&](std::string_view key) -> std::optional<std::string_view> {
      if (line.size() < key.size() || strncasecmp(line.data(), key.data(), key.size()) != 0)
        return std::nullopt;
      std::string_view v = line.substr(key.size());
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    };
    if (auto f = value("#Fields:")) {
      columns_.clear();
      has_client_ = has_stem_ = false;
      size_t p = 0;
      while (p < f->size() && columns_.size() < 256) {
        size_t e = f->find_first_of(" \t", p);
        if (e == std::string_view::npos) e = f->size();
        if (e > p) {
          Column c = ColumnOf(f->substr(p, e - p));
          has_client_ |= c.col == Col::kField && c.field == Field::kClientIp;
          has_stem_ |= c.col == Col::kUriStem;
          columns_.push_back(c);
        }
        p = e + 1;
      }
    } else if (auto d = value("#Date:")) {
      int64_t days;
      day_ = ParseDate(d->substr(0, 10), &days) ? days : kNoDay;
    }
  }

  std::string name_ = "w3c";
  std::vector<Column> columns_;
  bool has_client_ = false, has_stem_ = false;
  int64_t day_ = kNoDay;  // from #Date:
  std::string buf_;
};

}  // namespace

std::unique_ptr<LineParser> W3cFormat() { return std::make_unique<W3cParser>(); }

}  // namespace tq::logs
