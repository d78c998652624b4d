// Behaviour analysis over folded tokens: what the code does, not which strings it holds.
// PHP: request input (superglobals, php://input, getallheaders) followed through plain
// assignments to an execution sink (eval, assert, create_function, preg_replace /e, shell
// functions and backticks, callbacks, variable functions, include), to a file write or an
// upload saved under the client's name; payloads that are decoded and run; sink names
// that were built from pieces; card fields written to a file or mail. JavaScript: card or
// form fields read and sent to another host, code decoded and run, scripts loaded from a
// host given in the code. HTML: <script src> on a host given by URL.
// The taint tracking is deliberately shallow (one file, assignments and foreach only): it
// runs in linear time on hostile input, and frameworks that move request data through
// objects do not reach a sink in it, which is what keeps clean stores quiet.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "webroot/code_lexer.h"

namespace tq::webroot {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
bool IsOp(const Token& t, std::string_view op) { return t.type == Tok::kOp && t.text == op; }
bool IsAssignOp(const Token& t) {
  return t.type == Tok::kOp && (t.text == "=" || t.text == ".=" || t.text == "?\?=");
}

bool In(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}
bool In(std::string_view w, const std::vector<std::string_view>& set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

const std::initializer_list<std::string_view> kCodeSinks = {"eval",
                                                            "assert",
                                                            "create_function",
                                                            "call_user_func",
                                                            "call_user_func_array",
                                                            "array_map",
                                                            "array_filter",
                                                            "array_walk",
                                                            "array_walk_recursive",
                                                            "usort",
                                                            "uasort",
                                                            "uksort",
                                                            "register_shutdown_function",
                                                            "register_tick_function",
                                                            "forward_static_call",
                                                            "forward_static_call_array",
                                                            "iterator_apply",
                                                            "array_reduce",
                                                            "ob_start",
                                                            "set_error_handler",
                                                            "set_exception_handler",
                                                            "mb_ereg_replace",
                                                            "preg_replace_callback",
                                                            "array_diff_ukey",
                                                            "array_udiff",
                                                            "array_intersect_ukey",
                                                            "mb_ereg_replace_callback",
                                                            "array_intersect_uassoc",
                                                            "array_diff_uassoc",
                                                            "array_uintersect",
                                                            "array_uintersect_assoc",
                                                            "array_udiff_assoc",
                                                            "preg_replace_callback_array"};
const std::initializer_list<std::string_view> kShellSinks = {
    "system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "expect_popen"};
const std::initializer_list<std::string_view> kDecoders = {
    "base64_decode", "gzinflate",        "gzuncompress", "gzdecode",  "str_rot13", "strrev",
    "hex2bin",       "convert_uudecode", "rawurldecode", "urldecode", "gzinflate"};

class PhpTaint {
 public:
  explicit PhpTaint(const std::vector<Token>& t) : t_(t), scope_(t.size(), 0) {
    // Matching closers of every bracket, in one pass (a function body is a block, not its
    // first statement).
    std::vector<size_t> match(t_.size(), t_.size()), open;
    for (size_t i = 0; i < t_.size(); ++i) {
      if (t_[i].type != Tok::kOp) continue;
      const std::string& x = t_[i].text;
      if (x == "(" || x == "[" || x == "{") {
        open.push_back(i);
      } else if ((x == ")" || x == "]" || x == "}") && !open.empty()) {
        match[open.back()] = i;
        open.pop_back();
      }
    }
    // Loop bodies (for, foreach, while), as a difference array: linear however deep.
    std::vector<int> diff(t_.size() + 1, 0);
    for (size_t i = 0; i + 1 < t_.size(); ++i) {
      if (t_[i].type != Tok::kWord || !IsOp(t_[i + 1], "(") ||
          !In(Lower(t_[i].text), {"for", "foreach", "while"}))
        continue;
      size_t close = match[i + 1];
      if (close + 1 >= t_.size()) continue;
      size_t end = IsOp(t_[close + 1], "{") ? match[close + 1] : ExprEnd(close + 1, false);
      diff[close + 1] += 1;
      diff[std::min(end + 1, t_.size())] -= 1;
    }
    in_loop_.assign(t_.size(), false);
    for (size_t i = 0, depth = 0; i < t_.size(); ++i) {
      depth += diff[i];
      in_loop_[i] = depth > 0;
    }
    // Function bodies are scopes of their own (PHP variables are function-local): a $cmd in
    // one method is not the $cmd of another, which keeps large framework files quiet.
    int next = 1;
    for (size_t i = 0; i + 1 < t_.size(); ++i) {
      if (!(t_[i].type == Tok::kWord && Lower(t_[i].text) == "function")) continue;
      size_t j = i + 1;
      if (j < t_.size() && IsOp(t_[j], "&")) ++j;
      std::string name = j < t_.size() && t_[j].type == Tok::kWord ? Lower(t_[j].text) : "";
      if (!name.empty()) ++j;
      if (j >= t_.size() || !IsOp(t_[j], "(")) continue;
      size_t params_end = Close(j);
      size_t body = params_end + 1;
      std::vector<std::string> uses;
      while (body < t_.size() && body < params_end + 64 && !IsOp(t_[body], "{") &&
             !IsOp(t_[body], ";")) {
        if (t_[body].type == Tok::kVar) uses.push_back(t_[body].text);
        ++body;
      }
      if (body >= t_.size() || !IsOp(t_[body], "{")) continue;  // abstract / interface method
      size_t end = match[body];
      int id = next++;
      // A decoder of the file's own: a loop that builds a string from chr()/ord()/xor.
      if (!name.empty()) {
        bool loop = false, bytes = false;
        for (size_t k = body; k < end && k < t_.size(); ++k) {
          if (t_[k].type == Tok::kWord && In(Lower(t_[k].text), {"for", "while", "foreach"}))
            loop = true;
          if ((t_[k].type == Tok::kWord && In(Lower(t_[k].text), {"chr", "ord"})) ||
              IsOp(t_[k], "^"))
            bytes = true;
        }
        if (loop && bytes) decoder_functions_.insert(name);
      }
      for (size_t k = j; k <= end && k < t_.size(); ++k)
        if (scope_[k] == scope_[i]) scope_[k] = id;
      if (!name.empty()) {
        // Parameters in order (a method name may be defined by several classes: each
        // definition keeps its own list); `...$rest` takes every argument from its place on.
        std::vector<Param>& ps = params_[name].emplace_back();
        for (size_t k = j + 1; k < params_end; ++k)
          if (t_[k].type == Tok::kVar) ps.push_back({Key(id, t_[k].text), IsOp(t_[k - 1], "...")});
      }
      for (const std::string& u : uses) captures_.push_back({Key(scope_[i], u), Key(id, u)});
    }
  }

  static std::string Key(int scope, const std::string& name) {
    return std::to_string(scope) + ":" + name;
  }
  std::string Key(size_t i) const { return Key(scope_[i], t_[i].text); }

  bool IsSource(size_t i) const {
    const Token& k = t_[i];
    if (k.type == Tok::kVar) {
      if (In(k.text,
             {"$_GET", "$_POST", "$_REQUEST", "$_COOKIE", "$_FILES", "$HTTP_GET_VARS",
              "$HTTP_POST_VARS", "$HTTP_RAW_POST_DATA", "$HTTP_POST_FILES", "$HTTP_COOKIE_VARS"}))
        return true;
      if (k.text == "$_SERVER" && i + 2 < t_.size() && IsOp(t_[i + 1], "[") &&
          t_[i + 2].type == Tok::kString && t_[i + 2].text.rfind("HTTP_", 0) == 0)
        return true;
      if (k.text == "$GLOBALS" && i + 2 < t_.size() && IsOp(t_[i + 1], "[") &&
          t_[i + 2].type == Tok::kString &&
          In(t_[i + 2].text, {"_GET", "_POST", "_REQUEST", "_COOKIE", "_FILES"}))
        return true;
      return false;
    }
    if (k.type == Tok::kString) {
      if (k.text == "php://input") return true;
      if (k.quote == '"' || k.quote == '`')
        for (std::string_view s : {"$_GET", "$_POST", "$_REQUEST", "$_COOKIE", "$_SERVER[\"HTTP_",
                                   "$_SERVER['HTTP_", "{$_"})
          if (k.text.find(s) != std::string::npos) return true;
      return false;
    }
    if (k.type == Tok::kWord) {
      std::string w = Lower(k.text);
      // getenv('HTTP_X') is a request header; a name the code computes may be one too.
      if (w == "getenv" && i + 3 < t_.size() && IsOp(t_[i + 1], "(") &&
          (t_[i + 2].type == Tok::kString ? t_[i + 2].text.rfind("HTTP_", 0) == 0
                                          : !IsOp(t_[i + 2], ")") && !IsOp(t_[i + 3], ")")))
        return true;
      return In(w, {"getallheaders", "apache_request_headers"});
    }
    return false;
  }

  bool InLoop(size_t i) const { return i < in_loop_.size() && in_loop_[i]; }

  // After extract($_POST) (or with register_globals emulated so), a variable the scope
  // never assigns comes from the request.
  bool Extracted(int scope, const std::string& name) const {
    return extract_.count(scope) && name.size() > 1 && name != "$this" &&
           !assigned_.count(Key(scope, name));
  }

  bool Tainted(size_t i) const {
    if (IsSource(i)) return true;
    const Token& k = t_[i];
    if (k.type == Tok::kVar) return vars_.count(Key(i)) > 0 || Extracted(scope_[i], k.text);
    if ((k.quote == '"' || k.quote == '`') && k.type == Tok::kString && extract_.count(scope_[i])) {
      for (size_t p = k.text.find('$'); p != std::string::npos; p = k.text.find('$', p + 1)) {
        size_t e = p + 1;
        while (e < k.text.size() &&
               (std::isalnum(static_cast<unsigned char>(k.text[e])) || k.text[e] == '_'))
          ++e;
        if (e > p + 1 && Extracted(scope_[i], k.text.substr(p, e - p))) return true;
      }
    }
    if ((k.quote == '"' || k.quote == '`') && k.type == Tok::kString) {
      std::string prefix = Key(scope_[i], "");
      for (const std::string& v : vars_)
        if (v.rfind(prefix, 0) == 0 && k.text.find(v.substr(prefix.size())) != std::string::npos)
          return true;
    }
    return false;
  }

  bool RangeTainted(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i)
      if (Tainted(i)) return true;
    return false;
  }
  // Like RangeTainted, but $registry[$_POST['id']] is a value the code chose, looked up by a
  // request key: the key does not make the value the request's.
  bool ValueTainted(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i) {
      // $obj->callback: an object's member, whatever picked the object.
      if (t_[i].type == Tok::kVar && i + 1 < b && IsOp(t_[i + 1], "->")) {
        while (i + 2 < b && IsOp(t_[i + 1], "->") && t_[i + 2].type == Tok::kWord) i += 2;
        continue;
      }
      if (Tainted(i)) return true;
      if ((t_[i].type == Tok::kVar || IsOp(t_[i], "]")) && i + 1 < b && IsOp(t_[i + 1], "[")) {
        size_t j = i + 1;
        while (j < b && IsOp(t_[j], "[")) j = ExprEnd(j + 1, false) + 1;
        i = j - 1;
      }
    }
    return false;
  }

  // End (exclusive) of the statement or expression starting at `i`: the first ';' at depth 0,
  // or the ')' / ',' that closes the enclosing group. Bounded.
  size_t ExprEnd(size_t i, bool stop_at_comma) const {
    int depth = 0;
    size_t limit = std::min(t_.size(), i + 4000);
    for (; i < limit; ++i) {
      const Token& k = t_[i];
      if (k.type != Tok::kOp) continue;
      if (k.text == "(" || k.text == "[" || k.text == "{")
        ++depth;
      else if (k.text == ")" || k.text == "]" || k.text == "}") {
        if (depth == 0) return i;
        --depth;
      } else if (depth == 0 && (k.text == ";" || (stop_at_comma && k.text == ","))) {
        return i;
      }
    }
    return limit;
  }

  // Matching ')' for the '(' at `open`.
  size_t Close(size_t open) const { return ExprEnd(open + 1, false); }

  void Propagate() {
    for (size_t i = 0; i + 1 < t_.size(); ++i)
      if (t_[i].type == Tok::kVar && (IsAssignOp(t_[i + 1]) || (i > 0 && IsOp(t_[i - 1], "as")) ||
                                      (i > 0 && t_[i - 1].type == Tok::kWord &&
                                       In(Lower(t_[i - 1].text), {"as", "global", "static"}))))
        assigned_.insert(Key(i));
    for (const auto& [name, defs] : params_)
      for (const std::vector<Param>& ps : defs)
        for (const Param& p : ps) assigned_.insert(p.key);
    for (int round = 0; round < 3; ++round) {
      size_t before = vars_.size();
      for (size_t i = 0; i + 1 < t_.size(); ++i) {
        if (t_[i].type == Tok::kVar && (IsOp(t_[i + 1], "=") || IsOp(t_[i + 1], ".="))) {
          size_t end = ExprEnd(i + 2, true);
          if (ValueTainted(i + 2, end)) {
            vars_.insert(Key(i));
            // $sql = $_POST['sql'] (or trim()/stripslashes() of it): the value itself, not a
            // template with a request value inside.
            bool direct = true;
            for (size_t a = i + 2; a < end; ++a)
              if ((t_[a].type == Tok::kString && !IsOp(t_[a - 1], "[")) || IsOp(t_[a], ".") ||
                  IsOp(t_[a], "+") ||
                  (t_[a].type == Tok::kVar && !Tainted(a) && !IsOp(t_[a - 1], "[")))
                direct = false;
            if (direct && t_[i + 1].text == "=") direct_.insert(Key(i));
            // '/etc/app/config-' . $host . '.php': a fixed directory around the value.
            if (t_[i + 2].type == Tok::kString ||
                (t_[i + 2].type == Tok::kWord && !IsOp(t_[i + 3], "(")))
              prefixed_.insert(Key(i));
          }
          if (RangeDecoded(i + 2, end)) decoded_.insert(Key(i));
          // $f = cve('6A76...', '39'): a value decoded from a literal, nothing else.
          size_t v = i + 2;
          while (v < end && IsOp(t_[v], "@")) ++v;
          if ((v + 2 < end && t_[v].type == Tok::kWord && IsOp(t_[v + 1], "(") &&
               t_[v + 2].type == Tok::kString &&
               (In(Lower(t_[v].text), kDecoders) || decoder_functions_.count(Lower(t_[v].text))) &&
               Close(v + 1) + 1 == end) ||
              (v + 1 == end && t_[v].type == Tok::kString && !t_[v].decoded_by.empty()))
            decoded_name_.insert(Key(i));
          if (RangeXored(i + 2, end)) computed_.insert(Key(i));
          if (int code = RangePhpCode(i + 2, end)) php_code_[Key(i)] = code;
          if (RangeRemote(i + 2, end)) remote_.insert(Key(i));
          if (RangeClientName(i + 2, end)) client_named_.insert(Key(i));
        }
        // foreach ($_POST as $k => $v)
        if (t_[i].type == Tok::kWord && Lower(t_[i].text) == "foreach" && IsOp(t_[i + 1], "(")) {
          size_t close = Close(i + 1);
          size_t as = i + 2;
          while (as < close && !(t_[as].type == Tok::kWord && Lower(t_[as].text) == "as")) ++as;
          if (as < close && RangeTainted(i + 2, as))
            for (size_t k = as; k < close; ++k)
              if (t_[k].type == Tok::kVar) vars_.insert(Key(k));
        }
        // f($_POST['x']) taints the parameters of a function f defined in the same code.
        if (t_[i].type == Tok::kWord && IsOp(t_[i + 1], "(") &&
            !(i > 0 && (IsOp(t_[i - 1], "->") || IsOp(t_[i - 1], "::") ||
                        (t_[i - 1].type == Tok::kWord && Lower(t_[i - 1].text) == "function")))) {
          // Positionally: f('media', $_POST['id']) taints the second parameter only.
          auto def = params_.find(Lower(t_[i].text));
          size_t close = Close(i + 1);
          if (def != params_.end() && RangeTainted(i + 2, close)) {
            size_t arg = 0;
            for (size_t a = i + 2; a < close && arg < 64; ++arg) {
              size_t end = ExprEnd(a, true);
              if (RangeTainted(a, end))
                for (const std::vector<Param>& ps : def->second)
                  for (size_t k = 0; k < ps.size(); ++k)
                    if (k == arg || (ps[k].variadic && k < arg)) vars_.insert(ps[k].key);
              a = end + 1;
            }
          }
        }
        // extract($_POST): every variable may come from the request.
        // (parse_str with a result array creates no variables.)
        if (t_[i].type == Tok::kWord && In(Lower(t_[i].text), {"extract", "parse_str"}) &&
            IsOp(t_[i + 1], "(") && RangeTainted(i + 2, Close(i + 1)) &&
            !(Lower(t_[i].text) == "parse_str" && ExprEnd(i + 2, true) < Close(i + 1)))
          extract_.insert(scope_[i]);
      }
      for (const auto& [outer, inner] : captures_)
        if (vars_.count(outer)) vars_.insert(inner);
      if (vars_.size() == before) break;
    }
  }

  bool extract(size_t i) const { return extract_.count(scope_[i]) > 0; }

  // A decoder applied (base64_decode, gzinflate, ...), a literal a fold decoded, or a
  // variable holding either.
  bool RangeDecoded(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i) {
      const Token& k = t_[i];
      if (k.type == Tok::kString && !k.decoded_by.empty() && k.text.size() >= 16) return true;
      if (k.type == Tok::kVar && decoded_.count(Key(i))) return true;
      if (k.type == Tok::kWord && i + 1 < b && IsOp(t_[i + 1], "(") && In(Lower(k.text), kDecoders))
        return true;
      // cve('6A767C...', '39'): the file's own decoder run on a literal.
      if (k.type == Tok::kWord && i + 2 < b && IsOp(t_[i + 1], "(") &&
          t_[i + 2].type == Tok::kString && decoder_functions_.count(Lower(k.text)))
        return true;
    }
    return false;
  }
  // A string bitwise operation ('..' ^ $key): a name or payload computed, not written.
  bool RangeXored(size_t a, size_t b) const {
    for (size_t i = a; i + 1 < b && i + 1 < t_.size(); ++i)
      if ((IsOp(t_[i + 1], "^") && t_[i].type == Tok::kString) ||
          (IsOp(t_[i], "^") && t_[i + 1].type == Tok::kString) ||
          (t_[i].type == Tok::kString && t_[i].decoded_by == "xor"))
        return true;
    return false;
  }
  bool Computed(size_t i) const { return computed_.count(Key(i)) > 0 || decoded_.count(Key(i)); }
  // PHP source held in a literal (or a variable holding one): what a dropper writes out.
  // 2 when the source was hidden by a decoder, 1 when it is plain.
  int RangePhpCode(size_t a, size_t b) const {
    int best = 0;
    for (size_t i = a; i < b && i < t_.size(); ++i) {
      const Token& k = t_[i];
      if (k.type == Tok::kVar && php_code_.count(Key(i)))
        best = std::max(best, php_code_.at(Key(i)));
      if (k.type != Tok::kString || k.text.size() < 12) continue;
      std::string head = Lower(std::string_view(k.text).substr(0, 4096));
      if (head.find("<?php") == std::string::npos && head.find("<?=") == std::string::npos &&
          head.find("<? ") == std::string::npos)
        continue;
      best = std::max(best, k.decoded_by.empty() ? 1 : 2);
    }
    return best;
  }

  // The file name the client sent ($_FILES[..]['name']), kept as is or through basename().
  bool RangeClientName(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i) {
      const Token& k = t_[i];
      if (k.type == Tok::kVar && client_named_.count(Key(i))) return true;
      if (k.type == Tok::kWord && i + 1 < b && IsOp(t_[i + 1], "(") &&
          !In(Lower(k.text), {"basename", "trim", "strtolower", "stripslashes"}))
        return false;  // anything else may sanitise it
      if (k.type == Tok::kVar && k.text == "$_FILES")
        for (size_t j = i + 1; j < b && j < i + 12; ++j)
          if ((t_[j].type == Tok::kString || t_[j].type == Tok::kWord) && t_[j].text == "name")
            return true;
    }
    return false;
  }
  bool DecodedFromLiteral(size_t i) const { return decoded_name_.count(Key(i)) > 0; }
  bool Direct(size_t i) const { return IsSource(i) || direct_.count(Key(i)) > 0; }
  bool ClientNamed(size_t i) const { return client_named_.count(Key(i)) > 0; }
  bool Prefixed(size_t i) const { return prefixed_.count(Key(i)) > 0; }

  // Content fetched from a URL written in the code.
  bool RangeRemote(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i) {
      const Token& k = t_[i];
      if (k.type == Tok::kVar && remote_.count(Key(i))) return true;
      if (k.type == Tok::kWord && i + 2 < b && IsOp(t_[i + 1], "(") &&
          In(Lower(k.text), {"file_get_contents", "curl_exec", "file", "fopen", "readfile",
                             "stream_get_contents", "fgets", "fread"}) &&
          t_[i + 2].type == Tok::kString &&
          (t_[i + 2].text.rfind("http://", 0) == 0 || t_[i + 2].text.rfind("https://", 0) == 0 ||
           t_[i + 2].text.rfind("ftp://", 0) == 0))
        return true;
      if (k.type == Tok::kWord && In(Lower(k.text), {"curl_exec"})) return true;
    }
    return false;
  }

 private:
  const std::vector<Token>& t_;
  std::set<std::string> decoded_, remote_, client_named_, prefixed_, computed_, direct_;
  std::map<std::string, int> php_code_;
  std::set<std::string> decoder_functions_;
  std::set<std::string>
      decoded_name_;  // variables holding a literal's decoded value  // user functions that decode
                      // strings byte by byte  // variables holding PHP source (see RangePhpCode)
  struct Param {
    std::string key;
    bool variadic = false;
  };
  // user function -> its definitions' parameters, in order
  std::map<std::string, std::vector<std::vector<Param>>> params_;
  std::vector<std::pair<std::string, std::string>> captures_;  // closure use(): outer -> inner
  std::set<std::string> vars_;
  std::vector<int> scope_;  // function scope of each token (0: file level)
  std::set<int> extract_;   // scopes where extract($_POST) made every variable the request's
  std::set<std::string> assigned_;  // variables a scope assigns itself
  std::vector<bool> in_loop_;       // token inside a loop body
};

bool PregE(std::string_view pattern) {
  if (pattern.size() < 3) return false;
  char open = pattern[0];
  char close = open == '(' ? ')' : open == '{' ? '}' : open == '[' ? ']' : open == '<' ? '>' : open;
  if (std::isalnum(static_cast<unsigned char>(open)) || open == '\\') return false;
  size_t end = pattern.rfind(close);
  if (end == 0 || end == std::string_view::npos) return false;
  std::string_view flags = pattern.substr(end + 1);
  for (char c : flags)
    if (!std::isalpha(static_cast<unsigned char>(c)) &&
        !std::isspace(static_cast<unsigned char>(c)))
      return false;
  return flags.find('e') != std::string_view::npos;
}

}  // namespace

void AddTrait(std::vector<CodeTrait>& out, std::string id, std::string family, int strength,
              std::string what, const std::string& layer) {
  for (const CodeTrait& t : out)
    if (t.id == id && t.layer == layer) return;
  out.push_back({std::move(id), std::move(family), strength, std::move(what), layer, true, ""});
}

bool CardFieldName(std::string_view s) {
  std::string l = Lower(s.substr(0, 200));
  for (std::string_view k :
       {"cc_number",    "ccnumber",      "cc-number",   "card_number", "cardnumber",  "card-number",
        "cc_cid",       "cc-cid",        "cvv",         "cvc",         "cc_exp",      "cc-exp",
        "ccexp",        "card_exp",      "payment[cc",  "cc_owner",    "card_holder", "cardholder",
        "securitycode", "security_code", "getccnumber", "getcccid"})
    if (l.find(k) != std::string::npos) return true;
  return false;
}

void AnalyzePhp(const std::vector<Token>& t, const std::string& layer,
                std::vector<CodeTrait>& out) {
  PhpTaint taint(t);
  taint.Propagate();
  bool card = false, card_out = false, encode = false;
  bool db_connect = false, request_sql = false, request_sql_method = false, mail_loop = false,
       long_run = false, beacon = false, server_paths = false;
  std::set<std::string> request_ops;
  // An argument that is request input by itself (not a value inside a fixed SQL template).
  auto whole_argument_tainted = [&](size_t open) {
    size_t close = taint.Close(open);
    for (size_t a = open + 1; a < close; ++a) {
      size_t end = taint.ExprEnd(a, true);
      if (end == a + 1 && taint.Direct(a)) return true;
      if (end > a + 1 && t[a].type == Tok::kVar && taint.IsSource(a) && IsOp(t[a + 1], "[") &&
          IsOp(t[end - 1], "]") && taint.Close(a + 1) + 1 == end)
        return true;  // $_POST['sql']
      a = end;
    }
    return false;
  };
  size_t decoded_literals = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    if (k.type == Tok::kString && !k.decoded_by.empty()) ++decoded_literals;
    if ((k.type == Tok::kString || k.type == Tok::kWord) && CardFieldName(k.text)) card = true;
    bool call = i + 1 < t.size() && IsOp(t[i + 1], "(");
    bool member = i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::") ||
                            (t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "function") ||
                            (t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "new"));
    // Backtick shell strings.
    if (k.type == Tok::kString && k.quote == '`' && taint.Tainted(i))
      AddTrait(out, "php.request_to_shell", "exec", 4,
               "runs request input as a shell command (backticks)", layer);
    if (k.type == Tok::kVar && call && !member) {
      size_t close = taint.Close(i + 1);
      if (taint.Tainted(i) || (taint.extract(i) && k.text != "$this"))
        AddTrait(out, "php.request_as_function", "exec", 4,
                 "calls a function whose name comes from the request (" + k.text + "(...))", layer);
      else if (taint.DecodedFromLiteral(i))
        AddTrait(out, "php.decoded_function_call", "exec", 3,
                 "calls a function whose name is decoded at run time (" + k.text + "(...))", layer);
      else if (taint.RangeTainted(i + 2, close))
        AddTrait(out, "php.request_to_dynamic_call", "exec", 3,
                 "passes request input to a variable function " + k.text + "(...)", layer);
    }
    // $_GET['a']($_GET['b']) and friends: a request value called.
    if (k.type == Tok::kVar && taint.IsSource(i) && i + 1 < t.size() && IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "("))
        AddTrait(out, "php.request_as_function", "exec", 4,
                 "calls a function named by request input (" + k.text + "[...](...))", layer);
    }
    // $list[0]['fn']($_POST['x']): a function taken from an array element and called on
    // request input (the element was set to 'assert' where no fold follows it).
    if (k.type == Tok::kVar && !taint.IsSource(i) && !member && i + 1 < t.size() &&
        IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "(") && taint.RangeTainted(j + 1, taint.Close(j)))
        AddTrait(out, "php.request_to_dynamic_call", "exec", 3,
                 "passes request input to a function taken from " + k.text + "[...]", layer);
    }
    // new ReflectionFunction($_GET['f']): the request names the function to run.
    if (k.type == Tok::kWord && call && i > 0 && t[i - 1].type == Tok::kWord &&
        Lower(t[i - 1].text) == "new" && Lower(k.text) == "reflectionfunction" &&
        taint.RangeTainted(i + 2, taint.Close(i + 1)))
      AddTrait(out, "php.request_as_function", "exec", 4,
               "calls a function whose name comes from the request (ReflectionFunction)", layer);
    // new COM('WScript.Shell'): Windows' shell and file system driven from PHP.
    if (k.type == Tok::kWord && call && i > 0 && t[i - 1].type == Tok::kWord &&
        Lower(t[i - 1].text) == "new" && Lower(k.text) == "com" && i + 2 < t.size() &&
        t[i + 2].type == Tok::kString &&
        In(Lower(t[i + 2].text),
           {"wscript.shell", "shell.application", "wscript.network", "scripting.filesystemobject"}))
      AddTrait(out, "php.windows_shell_object", "exec", 3,
               "drives the Windows shell through a COM object (" + t[i + 2].text + ")", layer);
    // str_rot13('nffreg') handed to a call: an execution sink named through an encoding,
    // to be called back by whatever receives it.
    if (k.type == Tok::kString && !k.decoded_by.empty() && i > 0 &&
        (IsOp(t[i - 1], "(") || IsOp(t[i - 1], ",")) && i + 1 < t.size() &&
        (IsOp(t[i + 1], ")") || IsOp(t[i + 1], ",")) &&
        In(Lower(k.text), {"assert", "system", "passthru", "shell_exec", "exec", "popen",
                           "proc_open", "create_function", "pcntl_exec"}))
      AddTrait(out, "php.hidden_exec_call", "exec", 3,
               "passes " + Lower(k.text) + " as a callback, its name hidden (" + k.decoded_by + ")",
               layer);
    // A database console: the request gives the server and credentials, or the SQL itself.
    if (k.type == Tok::kWord && call && i > 0 &&
        ((t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "new" &&
          In(Lower(k.text), {"mysqli", "pdo"}) && taint.RangeTainted(i + 2, taint.Close(i + 1))) ||
         (IsOp(t[i - 1], "->") && In(Lower(k.text), {"real_connect"}) &&
          taint.RangeTainted(i + 2, taint.Close(i + 1)))))
      db_connect = true;
    if (k.type == Tok::kWord && call && i > 0 && IsOp(t[i - 1], "->") &&
        In(Lower(k.text), {"query", "exec", "multi_query", "real_query"}) &&
        whole_argument_tainted(i + 1))
      request_sql_method = true;  // ->query() is SQL only beside a connection the request made
    if (k.type == Tok::kVar && i + 2 < t.size() && k.text == "$_SERVER" && IsOp(t[i + 1], "[") &&
        t[i + 2].type == Tok::kString &&
        In(t[i + 2].text, {"DOCUMENT_ROOT", "SCRIPT_FILENAME", "PATH_TRANSLATED"}))
      server_paths = true;
    if (k.type != Tok::kWord || member) continue;
    std::string w = Lower(k.text);
    if (call && In(w, {"set_time_limit", "ignore_user_abort"})) long_run = true;
    if (In(w, {"base64_encode", "serialize", "json_encode", "openssl_encrypt", "bin2hex",
               "gzdeflate", "gzcompress", "str_rot13", "urlencode", "http_build_query"}))
      encode = true;
    // include / require of request input.
    if (In(w, {"include", "include_once", "require", "require_once"})) {
      size_t end = taint.ExprEnd(i + 1, false);
      if (taint.RangeRemote(i + 1, end))
        AddTrait(out, "php.remote_code", "exec", 4, "includes code fetched from a URL", layer);
      // A fixed directory and suffix around the request value (config-<host>.php) is how
      // multi-site setups pick a file; a path that is the request value is a backdoor.
      size_t first = i + 1;
      while (first < end && (IsOp(t[first], "(") || IsOp(t[first], "@"))) ++first;
      bool fixed_prefix =
          first < end && !taint.Tainted(first) &&
          (t[first].type == Tok::kString ||
           (t[first].type == Tok::kWord && !(first + 1 < end && IsOp(t[first + 1], "("))));
      if (first < end && t[first].type == Tok::kVar && taint.Prefixed(first)) fixed_prefix = true;
      if (taint.RangeTainted(i + 1, end))
        AddTrait(out, fixed_prefix ? "php.request_names_include" : "php.request_to_include", "exec",
                 fixed_prefix ? 2 : 4,
                 fixed_prefix ? "includes a file whose name contains request input"
                              : "includes a file named by request input",
                 layer);
      continue;
    }
    if (!call) continue;
    size_t close = taint.Close(i + 1);
    bool tainted_args = taint.RangeTainted(i + 2, close);
    // A name built from pieces hides the call from a plain search; hiding an execution sink
    // is two traits at once (concealment and execution).
    if (k.concealed && (In(w, {"eval", "assert", "create_function", "call_user_func",
                               "call_user_func_array", "preg_replace"}) ||
                        In(w, kShellSinks)))
      AddTrait(out, "php.hidden_exec_call", "exec", 3,
               "calls " + w + "() through a name built from pieces", layer);
    else if (k.concealed && (In(w, kCodeSinks) || In(w, kDecoders) ||
                             In(w, {"file_put_contents", "fwrite", "move_uploaded_file"})))
      AddTrait(out, "obfuscation.hidden_function_name", "obfuscation", 2,
               "calls " + w + "() through a name built from pieces", layer);
    // An execution sink on a value the code computes: weak alone (template engines eval
    // compiled code), telling beside an independent obfuscation trait.
    if (In(w, {"eval", "assert", "create_function", "system", "exec", "shell_exec", "passthru",
               "popen", "proc_open"}) &&
        !(i + 3 < t.size() && t[i + 2].type == Tok::kString && IsOp(t[i + 3], ")"))) {
      AddTrait(out, "php.exec_sink", "exec", 2, "passes a computed value to " + w + "()", layer);
      for (CodeTrait& ct : out)
        if (ct.id == "php.exec_sink") ct.alone = false;
    }
    // $f = 'c'.'o'.'p'.'y'; $f($_FILES[..]): request input handed to a function whose name
    // was built so that no search finds the call.
    if (k.concealed && tainted_args && !In(w, kCodeSinks) && !In(w, kShellSinks))
      AddTrait(out, "php.request_to_hidden_call", "exec", 3,
               "passes request input to " + w + "(), called through a name built from pieces",
               layer);
    if (In(w, kShellSinks) && tainted_args)
      AddTrait(out, "php.request_to_shell", "exec", 4,
               "runs request input as a shell command (" + w + ")", layer);
    if (In(w, kCodeSinks) && tainted_args) {
      // A callback sink only executes request input when the request names the callback or
      // (eval, assert, create_function) is the code itself.
      bool code_sink = In(w, {"eval", "assert", "create_function"});
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool callback_from_request = taint.ValueTainted(i + 2, first_end);
      if (w == "usort" || w == "uasort" || w == "uksort" || w == "array_walk" ||
          w == "array_filter" || w == "array_reduce" || w == "iterator_apply" ||
          w == "array_walk_recursive" || w == "preg_replace_callback" || w == "mb_ereg_replace" ||
          w == "mb_ereg_replace_callback") {
        // callback is the second argument
        size_t second = first_end < close ? first_end + 1 : close;
        callback_from_request = taint.ValueTainted(second, taint.ExprEnd(second, true));
      }
      if (In(w, {"array_diff_ukey", "array_udiff", "array_intersect_ukey", "array_intersect_uassoc",
                 "array_diff_uassoc", "array_uintersect", "array_uintersect_assoc",
                 "array_udiff_assoc"})) {
        // callback is the last argument
        size_t last = i + 2;
        for (size_t a = i + 2; a < close;) {
          last = a;
          a = taint.ExprEnd(a, true) + 1;
        }
        callback_from_request = taint.ValueTainted(last, close);
      }
      // The callback is an execution sink named in a string ('assert'), or a function whose
      // body evaluates its argument (create_function('$a', 'assert($a)'), a closure).
      bool evaluating_callback = false;
      for (size_t a = i + 2; a < close; ++a) {
        const Token& c = t[a];
        if (c.type == Tok::kString &&
            (In(Lower(c.text), {"assert", "eval", "system", "passthru", "shell_exec", "exec",
                                "create_function", "popen"}) ||
             c.text.find("assert(") != std::string::npos ||
             c.text.find("eval(") != std::string::npos ||
             c.text.find("system(") != std::string::npos))
          evaluating_callback = true;
        if (c.type == Tok::kWord && a + 1 < close && IsOp(t[a + 1], "(") && !code_sink &&
            In(Lower(c.text), {"eval", "assert", "system", "passthru", "shell_exec"}))
          evaluating_callback = true;
      }
      // array_intersect_uassoc([$_REQUEST['p'] => ''], [1], $f) with $f = '..' ^ $key:
      // the callback is a name the code computes, called on request input.
      bool computed_callback = false;
      if (!code_sink)
        for (size_t a = i + 2; a < close; ++a)
          if (t[a].type == Tok::kVar && taint.Computed(a) && !taint.Tainted(a) &&
              (IsOp(t[a - 1], ",") || IsOp(t[a - 1], "(")) &&
              (IsOp(t[a + 1], ",") || IsOp(t[a + 1], ")")))
            computed_callback = true;
      if (computed_callback && !callback_from_request && !evaluating_callback)
        AddTrait(out, "php.request_to_computed_callback", "exec", 3,
                 "passes request input to " + w + "() with a callback whose name is computed",
                 layer);
      if (code_sink || callback_from_request || evaluating_callback)
        AddTrait(out, "php.request_to_exec", "exec", 4,
                 "runs request input as PHP code (" + w + ")", layer);
    }
    if (In(w, kCodeSinks) && !In(w, {"eval", "assert", "create_function"}) && i + 2 < close &&
        t[i + 2].type == Tok::kString &&
        In(Lower(t[i + 2].text),
           {"assert", "eval", "system", "passthru", "shell_exec", "exec", "popen"}))
      AddTrait(out, "php.hidden_exec_call", "exec", 3,
               "calls " + Lower(t[i + 2].text) + "() as a callback of " + w + "()", layer);
    if (w == "preg_replace" && i + 2 < t.size() && t[i + 2].type == Tok::kString &&
        PregE(t[i + 2].text)) {
      // Legitimate /e replacements (before PHP 7 removed it) evaluate a back-reference
      // expression; one that references no match group runs code of its own.
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool backref = false;
      for (size_t a = first_end; a < close; ++a)
        if (t[a].type == Tok::kString && (t[a].text.find("\\1") != std::string::npos ||
                                          t[a].text.find("\\0") != std::string::npos ||
                                          t[a].text.find("$1") != std::string::npos ||
                                          t[a].text.find("\\2") != std::string::npos))
          backref = true;
      AddTrait(out, tainted_args ? "php.request_to_exec" : "php.preg_replace_e", "exec",
               tainted_args ? 4
               : backref    ? 2
                            : 3,
               tainted_args ? "runs request input through preg_replace /e"
                            : "preg_replace with the /e (evaluate) modifier runs code",
               layer);
    }
    if (In(w, {"eval", "assert", "create_function"})) {
      bool decoded_arg = false, decoder_call = false;
      for (size_t a = i + 2; a < close; ++a) {
        if (t[a].type == Tok::kString && !t[a].decoded_by.empty()) decoded_arg = true;
        if (t[a].type == Tok::kWord && a + 1 < close && IsOp(t[a + 1], "(") &&
            In(Lower(t[a].text), kDecoders))
          decoder_call = true;
      }
      // eval($f('...long base64...')): a payload decoded by a function the code computed.
      for (size_t a = i + 2; a + 1 < close; ++a)
        if ((t[a].type == Tok::kVar || IsOp(t[a], "]")) && IsOp(t[a + 1], "(") && a + 2 < close &&
            t[a + 2].type == Tok::kString && t[a + 2].text.size() >= 64)
          decoder_call = true;
      if (decoded_arg || decoder_call || taint.RangeDecoded(i + 2, close))
        AddTrait(out, "php.decode_and_run", "exec", 3,
                 "decodes a hidden payload and runs it (" + w + ")", layer);
      if (taint.RangeRemote(i + 2, close))
        AddTrait(out, "php.remote_code", "exec", 4, "runs code fetched from a URL (" + w + ")",
                 layer);
    }
    if (In(w, {"move_uploaded_file", "copy"}) && tainted_args) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      size_t second = first_end < close ? first_end + 1 : close;
      size_t second_end = taint.ExprEnd(second, true);
      bool named_by_client = false, wrapped = false;
      for (size_t a = second; a < second_end; ++a) {
        // $_FILES['f']['name'], or $_FILES[f][name] with bare words (PHP < 8 read them so)
        if ((t[a].type == Tok::kString || (t[a].type == Tok::kWord && !IsOp(t[a + 1], "("))) &&
            t[a].text == "name")
          named_by_client = true;
        if (t[a].type == Tok::kWord && a + 1 < second_end && IsOp(t[a + 1], "(")) wrapped = true;
      }
      for (size_t a = second; a < second_end; ++a)
        if (t[a].type == Tok::kVar && taint.ClientNamed(a)) named_by_client = true, wrapped = false;
      if (named_by_client && !wrapped && taint.RangeTainted(second, second_end))
        AddTrait(out, "php.upload_as_client_name", "upload", 3,
                 "saves an uploaded file under the name and place the client chose", layer);
      else
        AddTrait(out, "php.upload", "upload", 1, "saves an uploaded file", layer);
    }
    if (In(w, {"file_put_contents", "fwrite", "fputs"})) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool path_tainted = taint.RangeTainted(i + 2, first_end);
      bool data_tainted = taint.RangeTainted(first_end, close);
      int code = taint.RangePhpCode(first_end, close);
      if (code)
        AddTrait(out, "php.writes_php_code", "upload", code == 2 ? 3 : 1,
                 code == 2 ? "writes PHP code hidden under an encoding to a file"
                           : "writes PHP code held in a string to a file",
                 layer);
      if (path_tainted && data_tainted && w == "file_put_contents")
        AddTrait(out, "php.request_to_file", "upload", 3,
                 "writes request content to a file the request names", layer);
      for (size_t a = first_end; a < close; ++a)
        if (t[a].type == Tok::kWord && In(Lower(t[a].text), {"file_get_contents", "curl_exec"}) &&
            a + 2 < close && t[a + 2].type == Tok::kString &&
            (t[a + 2].text.rfind("http://", 0) == 0 || t[a + 2].text.rfind("https://", 0) == 0))
          AddTrait(out, "php.fetch_to_file", "upload", 2,
                   "writes code fetched from a URL to a file", layer);
      if (card) card_out = true;
    }
    if (w == "mail" && card) card_out = true;
    // File and system operations on what the request names: a file manager or a mailer.
    static const std::pair<std::string_view, std::vector<std::string_view>> kOps[] = {
        {"read",
         {"file_get_contents", "readfile", "file", "highlight_file", "show_source", "fopen",
          "parse_ini_file"}},
        {"write",
         {"file_put_contents", "fwrite", "fputs", "touch", "mkdir", "chmod", "rename", "copy",
          "move_uploaded_file"}},
        {"delete", {"unlink", "rmdir"}},
        {"list", {"opendir", "scandir", "glob", "dir", "is_dir", "filesize", "filemtime"}},
        {"database",
         {"mysql_connect", "mysqli_connect", "mysql_query", "mysqli_query", "pg_connect"}},
        {"socket", {"fsockopen", "pfsockopen", "socket_connect", "stream_socket_client"}},
    };
    // Reading the request body (php://input) is not a file the request names.
    bool body_only =
        i + 2 < t.size() && t[i + 2].type == Tok::kString && t[i + 2].text == "php://input";
    if (tainted_args && !body_only)
      for (const auto& [op, names] : kOps)
        if (In(w, names)) request_ops.insert(std::string(op));
    if (w == "unserialize" && tainted_args)
      AddTrait(out, "php.request_to_unserialize", "exec", 3,
               "unserialises request input (object injection runs the classes' magic methods)",
               layer);
    if (In(w, {"mysql_connect", "mysql_pconnect", "mysqli_connect", "mysqli_real_connect",
               "pg_connect", "pg_pconnect", "mssql_connect", "sqlsrv_connect", "oci_connect"}) &&
        tainted_args)
      db_connect = true;
    if (In(w, {"mysql_query", "mysql_unbuffered_query", "mysql_db_query", "mysqli_query",
               "mysqli_multi_query", "mysqli_real_query", "pg_query", "mssql_query", "sqlsrv_query",
               "oci_parse"}) &&
        whole_argument_tainted(i + 1))
      request_sql = true;
    if (w == "mail" && taint.InLoop(i)) mail_loop = true;
    // mail('someone@example.net', ..., "$_SERVER[DOCUMENT_ROOT] ..."): where the shell was
    // planted, reported to a fixed mailbox.
    if (w == "mail" && i + 2 < t.size() && t[i + 2].type == Tok::kString &&
        t[i + 2].text.find('@') != std::string::npos && t[i + 2].text.size() < 200)
      beacon = true;
    if (w == "mail" && taint.RangeTainted(i + 2, taint.ExprEnd(i + 2, true)))
      AddTrait(out, "php.request_mailer", "mailer", 3, "sends mail to recipients the request names",
               layer);
    if (In(w, {"fsockopen", "pfsockopen", "socket_connect", "stream_socket_client"}) &&
        tainted_args)
      AddTrait(out, "php.request_socket", "network", 2,
               "opens a connection to a host the request names", layer);
  }
  if (request_sql_method && db_connect) request_sql = true;
  if (db_connect || request_sql)
    AddTrait(out, db_connect && request_sql ? "php.sql_console" : "php.request_sql", "database",
             db_connect ? 3 : 2,
             db_connect && request_sql
                 ? "database console: logs in with credentials from the request "
                   "and runs the SQL it sends"
             : db_connect ? "logs in to a database server the request names"
                          : "runs SQL the request sends",
             layer);
  if (mail_loop)
    AddTrait(out, "php.mass_mailer", "mailer", long_run ? 3 : 1,
             long_run ? "mass mailer: sends mail in a loop with the time limit lifted"
                      : "sends mail in a loop",
             layer);
  if (beacon && server_paths)
    AddTrait(out, "php.location_beacon", "exfil", 3,
             "mails the server's paths to a fixed address (reports where it was planted)", layer);
  request_ops.erase(db_connect || request_sql ? "database" : "");
  bool modifies = request_ops.count("write") || request_ops.count("delete");
  if (request_ops.size() >= 2 && modifies) {
    std::string ops;
    for (const std::string& o : request_ops) ops += (ops.empty() ? "" : ", ") + o;
    AddTrait(out, "php.request_file_manager", "filemanager", 3,
             "file manager: request input drives " + ops + " operations", layer);
  } else if (!request_ops.empty()) {
    AddTrait(out, "php.request_file_op", "filemanager", 2,
             "request input names file operations (" + *request_ops.begin() + ")", layer);
  }
  if (card && card_out && encode)
    AddTrait(out, "php.card_data_writer", "exfil", 3,
             "serialises payment card fields and writes or mails them", layer);
  if (decoded_literals > 0 && layer.find('>') == std::string::npos)
    AddTrait(out, "obfuscation.decoded_literals", "obfuscation", 1,
             std::to_string(decoded_literals) + " literal(s) decoded from an encoding layer",
             layer);
  // A layer reached through a decoder (not just an eval of plain literal code).
  bool encoded = false;
  for (std::string_view d : {"base64", "inflate", "gz", "rot13", "strrev", "hex2bin", "urldecode",
                             "xor", "pack", "zlib", "uudecode"})
    if (layer.find(d) != std::string::npos) encoded = true;
  if (encoded)
    AddTrait(out, "obfuscation.encoded_code", "obfuscation", 2,
             "code hidden under an encoding layer", layer);
}

}  // namespace tq::webroot
