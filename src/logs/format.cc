// Text access-log formats. A format string (nginx `log_format` or Apache `LogFormat`) is
// compiled into a list of literals and variables; a line is parsed by matching each literal
// in turn, and each variable takes the bytes up to the next literal. The built-in formats
// (combined, common, vhost_combined) are such strings too, so every format shares one parser.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstring>

#include "logs/logs.h"
#include "logs/parsers.h"

namespace tq::logs {
namespace {

// What a variable of the format fills.
enum class Slot : uint8_t {
  kIgnore,
  kField,         // a plain Field
  kRequest,       // "GET /x HTTP/1.1", split into method, uri, version
  kTimeCommon,    // 10/Oct/2025:13:55:36 +0200
  kTimeIso,       // 2025-10-10T13:55:36+02:00
  kTimeUnix,      // 1760104536.123 (seconds, or milli-, micro-, nanoseconds)
  kTimeCustom,    // Apache %{pattern}t: a strftime pattern
  kQueryQ,        // Apache %q: "?a=b" or ""
  kUri,           // the request target, path?query ($request_uri)
  kForwardedFor,  // X-Forwarded-For: the client when the peer is a trusted proxy
};

struct Token {
  bool literal = false;
  std::string text;  // literal bytes, or the variable's name (for messages)
  Slot slot = Slot::kIgnore;
  Field field = Field::kCount;
};

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void SetField(AccessLogRecord& r, Field f, std::string_view v) {
  r.field[static_cast<size_t>(f)] = v;
  r.present |= 1u << static_cast<unsigned>(f);
}

// The first `c` in [p, end), or end; [lo, end) may be read (lo <= p). Fields are a few to a few
// hundred bytes: 16 at a time inline, without the cost of a call per field, and a short rest
// as the last 16 bytes before `end` when there are that many.
inline const char* FindByte(const char* p, const char* end, char c, const char* lo) {
#if defined(__SSE2__)
  const __m128i needle = _mm_set1_epi8(c);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    if (m) return p + __builtin_ctz(m);
    p += 16;
  }
  if (p < end && end - lo >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(end - 16));
    unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle)));
    m >>= 16 - (end - p);  // the bytes before p dropped
    return m ? p + __builtin_ctz(m) : end;
  }
  while (p < end && *p != c) ++p;
  return p;
#else
  (void)lo;
  const void* f = p < end ? std::memchr(p, c, static_cast<size_t>(end - p)) : nullptr;
  return f ? static_cast<const char*>(f) : end;
#endif
}
inline size_t Find(std::string_view s, char c, size_t from = 0) {
  const char* e = s.data() + s.size();
  const char* f = FindByte(s.data() + from, e, c, s.data());
  return f == e ? std::string_view::npos : static_cast<size_t>(f - s.data());
}

constexpr uint32_t Bit(Field f) { return 1u << static_cast<unsigned>(f); }
// What SplitUri and SplitRequest set, whatever the value.
constexpr uint32_t kUriFields = Bit(Field::kUri) | Bit(Field::kUriStem) | Bit(Field::kQuery);
constexpr uint32_t kRequestFields = kUriFields | Bit(Field::kMethod) | Bit(Field::kVersion);

void SplitUri(AccessLogRecord& r, std::string_view uri) {
  SetField(r, Field::kUri, uri);
  size_t q = Find(uri, '?');
  if (q == std::string_view::npos) {
    SetField(r, Field::kUriStem, uri);
    SetField(r, Field::kQuery, {});
  } else {
    SetField(r, Field::kUriStem, uri.substr(0, q));
    SetField(r, Field::kQuery, uri.substr(q + 1));
  }
}

void SplitRequest(AccessLogRecord& r, std::string_view req) {
  size_t sp = Find(req, ' ');
  if (sp == std::string_view::npos) {  // "-" or garbage such as a TLS handshake
    SetField(r, Field::kMethod, {});
    SetField(r, Field::kVersion, {});
    SplitUri(r, req == "-" ? std::string_view() : req);
    return;
  }
  SetField(r, Field::kMethod, req.substr(0, sp));
  std::string_view rest = req.substr(sp + 1);
  size_t last = rest.rfind(' ');
  if (last != std::string_view::npos && rest.substr(last + 1).starts_with("HTTP/")) {
    SetField(r, Field::kVersion, rest.substr(last + 1));
    rest = rest.substr(0, last);
  } else {
    SetField(r, Field::kVersion, {});
  }
  SplitUri(r, rest);
}

// A format literal, compared eight bytes at a time when the line has them.
struct Literal {
  std::string text;
  uint64_t word = 0, mask = 0;  // the first min(8, size) bytes, and which bytes those are
  explicit Literal(std::string t) : text(std::move(t)) {
    size_t n = std::min<size_t>(text.size(), 8);
    std::memcpy(&word, text.data(), n);
    mask = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
  }
  // Whether the literal is at `pos` of the line (pos <= line.size()).
  bool At(std::string_view line, size_t pos) const {
    size_t left = line.size() - pos;
    if (left < text.size()) return false;
    const char* p = line.data() + pos;
    if (left >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & mask) != word) return false;
      for (size_t k = 8; k < text.size(); ++k)
        if (p[k] != text[k]) return false;
      return true;
    }
    for (size_t k = 0; k < text.size(); ++k)
      if (p[k] != text[k]) return false;
    return true;
  }
  // Its next occurrence at or after pos, skipping quotes escaped with a backslash (Apache writes
  // \" inside quoted fields; nginx writes \x22).
  size_t FindIn(std::string_view line, size_t pos) const {
    const char* end = line.data() + line.size();
    for (;;) {
      const char* c = FindByte(line.data() + pos, end, text[0], line.data());
      if (c == end) return std::string_view::npos;
      size_t p = static_cast<size_t>(c - line.data());
      if (At(line, p) && !(text[0] == '"' && p > 0 && line[p - 1] == '\\')) return p;
      pos = p + 1;
    }
  }
};

class FormatParser : public LineParser {
 public:
  FormatParser(std::string name, std::vector<Token> tokens)
      : name_(std::move(name)), tokens_(std::move(tokens)) {
    // Each variable with how its end is found.
    for (size_t i = 0; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      Step st;
      st.field = t.field;
      if (t.literal) {
        st.kind = Step::kLiteral;
        st.lit = literals_.size();
        literals_.emplace_back(t.text);
      } else if (i + 1 == tokens_.size()) {
        st.kind = Step::kToEnd;
      } else if (tokens_[i + 1].literal) {
        st.kind = i + 2 == tokens_.size() ? Step::kToFinalLiteral : Step::kToLiteral;
        st.lit = literals_.size();  // the next step's literal
      } else {
        st.kind = Step::kToSpace;
      }
      st.action = ActionOf(t);
      if (t.slot == Slot::kField) set_fields_ |= Bit(t.field);
      if (t.slot == Slot::kQueryQ) set_fields_ |= Bit(Field::kQuery);
      if (t.slot == Slot::kRequest) set_fields_ |= kRequestFields;
      if (t.slot == Slot::kUri) set_fields_ |= kUriFields;
      if (t.slot == Slot::kForwardedFor) has_xff_ = true;
      steps_.push_back(st);
    }
    unwrap_ = !tokens_.empty() && !tokens_[0].literal;
    for (const Token& t : tokens_)
      if (t.slot == Slot::kTimeCustom)
        custom_time_ =
            t.text.substr(t.text.find('{') + 1, t.text.rfind('}') - t.text.find('{') - 1);
    if (custom_time_.starts_with("begin:")) custom_time_ = custom_time_.substr(6);
    if (custom_time_.starts_with("end:")) custom_time_ = custom_time_.substr(4);
    check_client_ = set_fields_ & Bit(Field::kClientIp);
    // The path and the query logged apart ($uri $args, %U %q): the target is joined into a
    // buffer of the parser's.
    join_uri_ = !(set_fields_ & Bit(Field::kUri)) && (set_fields_ & Bit(Field::kUriStem));
    uri_in_buffer_ = join_uri_ && (set_fields_ & Bit(Field::kQuery));
    if (join_uri_) set_fields_ |= kUriFields;
  }
  const std::string& name() const override { return name_; }
  std::unique_ptr<LineParser> Clone() const override {
    auto p = std::make_unique<FormatParser>(name_, tokens_);
    p->trusted_ = trusted_;
    p->time_format_ = time_format_;
    std::vector<std::unique_ptr<LineParser>> fb;
    for (const auto& f : fallback_) fb.push_back(f->Clone());
    p->fallback_ = std::move(fb);
    return p;
  }
  bool FieldsViewLine() const override {
    if (uri_in_buffer_) return false;
    for (const auto& f : fallback_)
      if (!f->FieldsViewLine()) return false;
    return true;
  }
  void SetTrustedProxies(std::shared_ptr<const TrustedProxies> t) override {
    trusted_ = t;
    for (auto& f : fallback_) f->SetTrustedProxies(t);
  }
  void SetFallbacks(std::vector<std::unique_ptr<LineParser>> f) override {
    fallback_ = std::move(f);
  }
  void SetTimeFormat(const std::string& f) override {
    time_format_ = f;
    for (auto& fb : fallback_) fb->SetTimeFormat(f);
  }

  bool Parse(std::string_view line, AccessLogRecord& r, std::string_view* reason) override {
    if (ParseOwn(line, r, reason)) [[likely]]
      return true;
    std::string_view why;
    for (auto& f : fallback_)
      if (f->Parse(line, r, &why)) return true;
    return false;  // the reason is this format's
  }

 private:
  bool ParseOwn(std::string_view whole, AccessLogRecord& r, std::string_view* reason) {
    // Fields are set only together with their `present` bit (here and in the JSON parser), so
    // clearing those is clearing all: cheaper than a 256-byte memset on every line.
    // A successful parse sets every field of the format (set_fields_): only the fields another
    // parser left in a reused record need clearing.
    for (uint32_t bits = r.present & ~set_fields_; bits; bits &= bits - 1)
      r.field[static_cast<size_t>(__builtin_ctz(bits))] = {};
    r.present = 0;
    r.has_time = false;
    r.line = whole;
    r.source = nullptr;
    xff_ = {};
    // A line wrapped in one more pair of quotes (log shippers, CSV exports) is read inside
    // them: otherwise the quote would be taken as part of the client.
    std::string_view line = whole;
    if (unwrap_ && line.size() >= 2 && line.front() == '"' && line.back() == '"')
      line = line.substr(1, line.size() - 2);
    size_t pos = 0;
    for (const Step& st : steps_) {
      size_t end = 0;
      switch (st.kind) {
        case Step::kLiteral: {
          const Literal& lit = literals_[st.lit];
          if (!lit.At(line, pos)) return Fail(reason, "format mismatch");
          pos += lit.text.size();
          continue;
        }
        case Step::kToEnd: end = line.size(); break;
        case Step::kToFinalLiteral: {
          const Literal& lit = literals_[st.lit];
          if (line.size() >= pos + lit.text.size() && lit.At(line, line.size() - lit.text.size())) {
            end = line.size() - lit.text.size();
            break;
          }
          [[fallthrough]];
        }
        case Step::kToLiteral:
          end = literals_[st.lit].FindIn(line, pos);
          if (end == std::string_view::npos) return Fail(reason, "format mismatch");
          break;
        case Step::kToSpace:
          end = Find(line, ' ', pos);
          if (end == std::string_view::npos) end = line.size();
          break;
      }
      if (!Assign(st, line.substr(pos, end - pos), r, reason)) return false;
      pos = end;
    }
    if (check_client_) {
      std::string_view peer = r.get(Field::kClientIp);
      if (ClassifyClient(peer) == AddressKind::kNone) return Fail(reason, kSkipClient);
      if (has_xff_) {
        std::string_view c = ForwardedClient(peer, xff_, trusted());
        if (c.data() != peer.data()) {
          SetField(r, Field::kPeerIp, peer);
          SetField(r, Field::kClientIp, c);
        }
      }
    }
    if (join_uri_) JoinUri(r);
    return true;
  }

  // The target from a path and a query logged apart; nginx writes "-" for no query.
  void JoinUri(AccessLogRecord& r) {
    std::string_view stem = r.get(Field::kUriStem), q = r.get(Field::kQuery);
    if (q == "-") q = {};
    if (q.empty()) {
      SplitUri(r, stem);  // %U%q: the stem may hold the whole target
      return;
    }
    uri_buf_.assign(stem);
    uri_buf_ += '?';
    uri_buf_ += q;
    SetField(r, Field::kQuery, q);
    SetField(r, Field::kUri, uri_buf_);
  }
  // What a variable's value is checked as and goes into, resolved once per format.
  enum class Action : uint8_t {
    kIgnore,
    kField,  // stored as it is
    kStatus,
    kByteCount,
    kClientIp,
    kRequest,
    kQueryQ,
    kUri,
    kForwardedFor,
    kTimeCommon,
    kTimeIso,
    kTimeUnix,
    kTimeCustom,
  };
  static Action ActionOf(const Token& t) {
    switch (t.slot) {
      case Slot::kIgnore: return Action::kIgnore;
      case Slot::kField:
        if (t.field == Field::kStatus) return Action::kStatus;
        if (t.field == Field::kBytesSent || t.field == Field::kBytesReceived)
          return Action::kByteCount;
        if (t.field == Field::kClientIp) return Action::kClientIp;
        return Action::kField;
      case Slot::kRequest: return Action::kRequest;
      case Slot::kQueryQ: return Action::kQueryQ;
      case Slot::kUri: return Action::kUri;
      case Slot::kForwardedFor: return Action::kForwardedFor;
      case Slot::kTimeCommon: return Action::kTimeCommon;
      case Slot::kTimeIso: return Action::kTimeIso;
      case Slot::kTimeUnix: return Action::kTimeUnix;
      case Slot::kTimeCustom: return Action::kTimeCustom;
    }
    return Action::kIgnore;
  }
  struct Step {
    enum Kind : uint8_t { kLiteral, kToLiteral, kToFinalLiteral, kToSpace, kToEnd } kind;
    Action action = Action::kIgnore;
    Field field = Field::kCount;
    size_t lit = 0;  // kLiteral: its literal; kToLiteral / kToFinalLiteral: the one that ends it
  };
  static bool Fail(std::string_view* reason, std::string_view why) {
    *reason = why;
    return false;
  }

  [[gnu::always_inline]] bool Assign(const Step& st, std::string_view v, AccessLogRecord& r,
                                     std::string_view* reason) {
    switch (st.action) {
      case Action::kIgnore: return true;
      case Action::kField: SetField(r, st.field, v); return true;
      case Action::kStatus:
        if (!(v.size() == 3 && IsDigits(v))) return Fail(reason, "bad status");
        SetField(r, st.field, v);
        return true;
      case Action::kByteCount:
        if (v != "-" && !IsDigits(v)) return Fail(reason, "bad byte count");
        SetField(r, st.field, v);
        return true;
      case Action::kClientIp:  // checked once the whole line matched
        SetField(r, st.field, v);
        return true;
      case Action::kRequest: SplitRequest(r, v); return true;
      case Action::kQueryQ:
        SetField(r, Field::kQuery, v.starts_with('?') ? v.substr(1) : v);
        return true;
      case Action::kUri: SplitUri(r, v); return true;
      case Action::kForwardedFor: xff_ = v; return true;
      case Action::kTimeCommon:
        if (!time_format_.empty()) return PatternTime(v, time_format_, r, reason);
        return CommonTime(v, r, reason);
      case Action::kTimeCustom: return PatternTime(v, custom_time_, r, reason);
      case Action::kTimeIso: {
        if (!time_format_.empty()) return PatternTime(v, time_format_, r, reason);
        Result<UnixMicros> t2 = ParseIso8601(v, TimeZone::Utc());
        if (!t2.ok()) return Fail(reason, "bad timestamp");
        r.time = *t2;
        r.has_time = true;
        return true;
      }
      case Action::kTimeUnix: {
        UnixMicros t2;
        if (!ParseEpoch(v, &t2)) return Fail(reason, "bad timestamp");
        r.time = t2;
        r.has_time = true;
        return true;
      }
    }
    return true;
  }

  bool PatternTime(std::string_view v, const std::string& pattern, AccessLogRecord& r,
                   std::string_view* reason) {
    UnixMicros t;
    if (!ParseTimeWithFormat(v, pattern, &t)) return Fail(reason, "bad timestamp");
    r.time = t;
    r.has_time = true;
    return true;
  }

  // $time_local with a per-parser cache of the date and zone: only h:m:s is read per line.
  bool CommonTime(std::string_view v, AccessLogRecord& r, std::string_view* reason) {
    if (v.size() == 26 && v[11] == ':' && v[14] == ':' && v[17] == ':' && v[20] == ' ') {
      auto d2 = [&](size_t i) -> int {
        char a = v[i], b = v[i + 1];
        if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
        return (a - '0') * 10 + (b - '0');
      };
      int h = d2(12), m = d2(15), s = d2(18);
      if (h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 61) {
        // "10/Oct/2025" and "+0200", compared as fixed-size blocks.
        if (!(cache_ok_ && std::memcmp(v.data(), cache_day_, 11) == 0 &&
              std::memcmp(v.data() + 21, cache_zone_, 5) == 0)) {
          std::string midnight =
              std::string(v.substr(0, 11)) + ":00:00:00 " + std::string(v.substr(21));
          Result<UnixMicros> base = ParseCommonLogTime(midnight);
          if (!base.ok()) return Fail(reason, "bad timestamp");
          std::memcpy(cache_day_, v.data(), 11);
          std::memcpy(cache_zone_, v.data() + 21, 5);
          cache_base_ = *base;
          cache_ok_ = true;
        }
        r.time = cache_base_ + (int64_t{h} * 3600 + m * 60 + s) * 1000000;
        r.has_time = true;
        return true;
      }
    }
    Result<UnixMicros> t = ParseCommonLogTime(v);
    if (!t.ok()) return Fail(reason, "bad timestamp");
    r.time = *t;
    r.has_time = true;
    return true;
  }

  std::string name_;
  std::vector<Token> tokens_;
  std::vector<Literal> literals_;
  std::vector<Step> steps_;
  uint32_t set_fields_ = 0;  // the fields a successful parse sets
  bool unwrap_ = false, check_client_ = false, has_xff_ = false, join_uri_ = false,
       uri_in_buffer_ = false;
  std::string_view xff_;
  std::string uri_buf_;
  std::string custom_time_;  // the pattern of Apache's %{pattern}t
  std::vector<std::unique_ptr<LineParser>> fallback_;
  bool cache_ok_ = false;
  char cache_day_[11] = {}, cache_zone_[5] = {};
  UnixMicros cache_base_ = 0;
};

void AddLiteral(std::vector<Token>& out, std::string_view text) {
  if (text.empty()) return;
  if (!out.empty() && out.back().literal) {
    out.back().text += text;
    return;
  }
  Token t;
  t.literal = true;
  t.text = std::string(text);
  out.push_back(std::move(t));
}

void AddVar(std::vector<Token>& out, std::string name, Slot slot, Field f = Field::kCount) {
  Token t;
  t.text = std::move(name);
  t.slot = slot;
  t.field = f;
  out.push_back(std::move(t));
}

Token NginxVar(const std::string& n) {
  static const std::pair<const char*, Field> kFields[] = {
      {"remote_addr", Field::kClientIp},
      {"remote_user", Field::kUser},
      {"request_method", Field::kMethod},
      {"uri", Field::kUriStem},
      {"document_uri", Field::kUriStem},
      {"args", Field::kQuery},
      {"query_string", Field::kQuery},
      {"server_protocol", Field::kVersion},
      {"status", Field::kStatus},
      {"body_bytes_sent", Field::kBytesSent},
      {"bytes_sent", Field::kBytesSent},
      {"request_length", Field::kBytesReceived},
      {"request_time", Field::kTimeTaken},
      {"http_referer", Field::kReferer},
      {"http_user_agent", Field::kUserAgent},
      {"http_cookie", Field::kCookie},
      {"host", Field::kHost},
      {"http_host", Field::kHost},
      {"server_name", Field::kHost},
      {"content_type", Field::kContentType},
      {"http_content_type", Field::kContentType},
      {"request_body", Field::kBody}};
  Token t;
  t.text = "$" + n;
  if (n == "request")
    t.slot = Slot::kRequest;
  else if (n == "request_uri")
    t.slot = Slot::kUri;
  else if (n == "http_x_forwarded_for")
    t.slot = Slot::kForwardedFor;
  else if (n == "time_local")
    t.slot = Slot::kTimeCommon;
  else if (n == "time_iso8601")
    t.slot = Slot::kTimeIso;
  else if (n == "msec")
    t.slot = Slot::kTimeUnix;
  else
    for (auto& [name, f] : kFields)
      if (n == name) t.slot = Slot::kField, t.field = f;
  return t;
}

Result<std::vector<Token>> CompileNginx(std::string_view fmt) {
  std::vector<Token> out;
  size_t i = 0;
  std::string lit;
  while (i < fmt.size()) {
    char c = fmt[i];
    if (c != '$') {
      lit += c;
      ++i;
      continue;
    }
    AddLiteral(out, lit);
    lit.clear();
    ++i;
    std::string name;
    if (i < fmt.size() && fmt[i] == '{') {
      size_t close = fmt.find('}', i);
      if (close == std::string_view::npos)
        return Status::Usage("log format: unclosed ${ at column " + std::to_string(i));
      name = std::string(fmt.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      while (i < fmt.size() && (isalnum(static_cast<unsigned char>(fmt[i])) || fmt[i] == '_'))
        name += fmt[i++];
    }
    if (name.empty()) return Status::Usage("log format: '$' without a variable name");
    out.push_back(NginxVar(name));
  }
  AddLiteral(out, lit);
  return out;
}

Result<std::vector<Token>> CompileApache(std::string_view fmt) {
  std::vector<Token> out;
  std::string lit;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '\\' && i + 1 < fmt.size()) {  // as written in httpd.conf: \" and \\ .
      char n = fmt[++i];
      lit += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      continue;
    }
    if (c != '%') {
      lit += c;
      continue;
    }
    if (++i >= fmt.size()) return Status::Usage("log format: '%' at the end");
    if (fmt[i] == '%') {
      lit += '%';
      continue;
    }
    // Modifiers: <, >, !, status lists.
    while (i < fmt.size() && (fmt[i] == '<' || fmt[i] == '>' || fmt[i] == '!' || fmt[i] == ',' ||
                              isdigit(static_cast<unsigned char>(fmt[i]))))
      ++i;
    std::string arg;
    if (i < fmt.size() && fmt[i] == '{') {
      size_t close = fmt.find('}', i);
      if (close == std::string_view::npos) return Status::Usage("log format: unclosed %{");
      arg = std::string(fmt.substr(i + 1, close - i - 1));
      i = close + 1;
    }
    if (i >= fmt.size()) return Status::Usage("log format: directive missing after '%'");
    char d = fmt[i];
    std::string name = std::string("%") + (arg.empty() ? "" : "{" + arg + "}") + d;
    std::string lower;
    for (char a : arg) lower += static_cast<char>(tolower(static_cast<unsigned char>(a)));
    AddLiteral(out, lit);
    lit.clear();
    switch (d) {
      case 'h':
      case 'a': AddVar(out, name, Slot::kField, Field::kClientIp); break;
      case 'u': AddVar(out, name, Slot::kField, Field::kUser); break;
      case 'r': AddVar(out, name, Slot::kRequest); break;
      case 's': AddVar(out, name, Slot::kField, Field::kStatus); break;
      case 'b':
      case 'B':
      case 'O': AddVar(out, name, Slot::kField, Field::kBytesSent); break;
      case 'I': AddVar(out, name, Slot::kField, Field::kBytesReceived); break;
      case 'D':
      case 'T': AddVar(out, name, Slot::kField, Field::kTimeTaken); break;
      case 'v':
      case 'V': AddVar(out, name, Slot::kField, Field::kHost); break;
      case 'm': AddVar(out, name, Slot::kField, Field::kMethod); break;
      case 'U': AddVar(out, name, Slot::kField, Field::kUriStem); break;
      case 'q': AddVar(out, name, Slot::kQueryQ); break;
      case 'H': AddVar(out, name, Slot::kField, Field::kVersion); break;
      case 't':
        if (arg.empty()) {
          AddLiteral(out, "[");
          AddVar(out, name, Slot::kTimeCommon);
          lit = "]";
        } else if (arg == "sec" || arg == "msec" || arg == "usec") {
          AddVar(out, name, Slot::kTimeUnix);  // told apart by their digits
        } else if (arg.find('%') != std::string::npos) {
          AddVar(out, name, Slot::kTimeCustom);
        } else {
          return Status::Usage("log format: time format " + name + " is not supported");
        }
        break;
      case 'i':
        if (lower == "referer")
          AddVar(out, name, Slot::kField, Field::kReferer);
        else if (lower == "user-agent")
          AddVar(out, name, Slot::kField, Field::kUserAgent);
        else if (lower == "cookie")
          AddVar(out, name, Slot::kField, Field::kCookie);
        else if (lower == "host")
          AddVar(out, name, Slot::kField, Field::kHost);
        else if (lower == "content-type")
          AddVar(out, name, Slot::kField, Field::kContentType);
        else if (lower == "x-forwarded-for")
          AddVar(out, name, Slot::kForwardedFor);
        else
          AddVar(out, name, Slot::kIgnore);
        break;
      default: AddVar(out, name, Slot::kIgnore);
    }
  }
  AddLiteral(out, lit);
  return out;
}

// A format as pasted from a config: nginx's '...' '...' pieces are joined.
std::string Unquote(std::string_view f) {
  while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
  // The whole directive as in nginx.conf: "log_format main '...' '...';" (maybe escape=json).
  auto word = [&f] {
    size_t e = f.find_first_of(" \t");
    f.remove_prefix(e == std::string_view::npos ? f.size() : e);
    while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
  };
  if (f.starts_with("log_format ") || f.starts_with("log_format\t")) {
    word();  // log_format
    word();  // its name
    if (f.starts_with("escape=")) word();
  }
  while (!f.empty() && (f.back() == ' ' || f.back() == ';' || f.back() == '\t')) f.remove_suffix(1);
  if (f.size() < 2 || f.front() != '\'') return std::string(f);
  std::string out;
  bool in = false;
  for (char c : f) {
    if (c == '\'')
      in = !in;
    else if (in)
      out += c;
  }
  return out;
}

}  // namespace

void SetRecordField(AccessLogRecord& r, Field f, std::string_view v) { SetField(r, f, v); }
void SplitTarget(AccessLogRecord& r, std::string_view uri) { SplitUri(r, uri); }
void SplitRequestLine(AccessLogRecord& r, std::string_view req) { SplitRequest(r, req); }

std::unique_ptr<LineParser> TextBuiltin(std::string_view name) {
  // Apache's and nginx's stock formats, as their configs write them.
  static const std::pair<const char*, const char*> kFormats[] = {
      {"vhost_combined", R"(%v:%p %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\")"},
      {"vhost", R"(%v %h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\")"},
      {"nginx-main",
       R"(%h - %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" \"%{X-Forwarded-For}i\")"},
      {"combined", R"(%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\")"},
      {"common", R"(%h %l %u %t \"%r\" %>s %b)"},
  };
  for (auto& [n, f] : kFormats)
    if (name == n) return std::make_unique<FormatParser>(n, CompileApache(f).value());
  return nullptr;
}

std::vector<std::string> TextBuiltinNames() {
  return {"vhost_combined", "vhost", "nginx-main", "combined", "common"};
}

Result<std::unique_ptr<LineParser>> CompileLogFormat(std::string_view format) {
  std::string f = Unquote(format);
  if (f.empty()) return Status::Usage("log format is empty");
  bool nginx = f.find('$') != std::string::npos;
  Result<std::vector<Token>> t = nginx ? CompileNginx(f) : CompileApache(f);
  if (!t.ok()) return t.status();
  bool any = false;
  for (const Token& k : *t) any |= !k.literal;
  if (!any) return Status::Usage("log format has no variables: " + f);
  return std::unique_ptr<LineParser>(
      std::make_unique<FormatParser>(nginx ? "nginx-custom" : "apache-custom", std::move(*t)));
}

}  // namespace tq::logs
