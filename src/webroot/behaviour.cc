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
      size_t end = ExprEnd(body + 1, false);
      int id = next++;
      for (size_t k = j; k <= end && k < t_.size(); ++k)
        if (scope_[k] == scope_[i]) scope_[k] = id;
      if (!name.empty()) {
        std::vector<std::string>& ps = params_[name];
        for (size_t k = j + 1; k < params_end; ++k)
          if (t_[k].type == Tok::kVar) ps.push_back(Key(id, t_[k].text));
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
                                          : !IsOp(t_[i + 3], ")")))
        return true;
      return In(w, {"getallheaders", "apache_request_headers"});
    }
    return false;
  }

  bool Tainted(size_t i) const {
    if (IsSource(i)) return true;
    const Token& k = t_[i];
    if (k.type == Tok::kVar) return vars_.count(Key(i)) > 0;
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
    for (int round = 0; round < 3; ++round) {
      size_t before = vars_.size();
      for (size_t i = 0; i + 1 < t_.size(); ++i) {
        if (t_[i].type == Tok::kVar && (IsOp(t_[i + 1], "=") || IsOp(t_[i + 1], ".="))) {
          size_t end = ExprEnd(i + 2, true);
          if (ValueTainted(i + 2, end)) {
            vars_.insert(Key(i));
            // '/etc/app/config-' . $host . '.php': a fixed directory around the value.
            if (t_[i + 2].type == Tok::kString ||
                (t_[i + 2].type == Tok::kWord && !IsOp(t_[i + 3], "(")))
              prefixed_.insert(Key(i));
          }
          if (RangeDecoded(i + 2, end)) decoded_.insert(Key(i));
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
          auto def = params_.find(Lower(t_[i].text));
          if (def != params_.end() && RangeTainted(i + 2, Close(i + 1)))
            for (const std::string& p : def->second) vars_.insert(p);
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
  std::set<std::string> decoded_, remote_, client_named_, prefixed_, computed_;
  std::map<std::string, int> php_code_;  // variables holding PHP source (see RangePhpCode)
  std::map<std::string, std::vector<std::string>> params_;     // user function -> parameter keys
  std::vector<std::pair<std::string, std::string>> captures_;  // closure use(): outer -> inner
  std::set<std::string> vars_;
  std::vector<int> scope_;  // function scope of each token (0: file level)
  std::set<int> extract_;   // scopes where extract($_POST) made every variable the request's
};

void Add(std::vector<CodeTrait>& out, std::string id, std::string family, int strength,
         std::string what, const std::string& layer) {
  for (const CodeTrait& t : out)
    if (t.id == id && t.layer == layer) return;
  out.push_back({std::move(id), std::move(family), strength, std::move(what), layer});
}

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

bool CardName(std::string_view s) {
  std::string l = Lower(s.substr(0, 200));
  for (std::string_view k :
       {"cc_number",    "ccnumber",      "cc-number",   "card_number", "cardnumber",  "card-number",
        "cc_cid",       "cc-cid",        "cvv",         "cvc",         "cc_exp",      "cc-exp",
        "ccexp",        "card_exp",      "payment[cc",  "cc_owner",    "card_holder", "cardholder",
        "securitycode", "security_code", "getccnumber", "getcccid"})
    if (l.find(k) != std::string::npos) return true;
  return false;
}

}  // namespace

void AnalyzePhp(const std::vector<Token>& t, const std::string& layer,
                std::vector<CodeTrait>& out) {
  PhpTaint taint(t);
  taint.Propagate();
  bool card = false, card_out = false, encode = false;
  std::set<std::string> request_ops;
  size_t decoded_literals = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    if (k.type == Tok::kString && !k.decoded_by.empty()) ++decoded_literals;
    if ((k.type == Tok::kString || k.type == Tok::kWord) && CardName(k.text)) card = true;
    bool call = i + 1 < t.size() && IsOp(t[i + 1], "(");
    bool member = i > 0 && (IsOp(t[i - 1], "->") || IsOp(t[i - 1], "::") ||
                            (t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "function") ||
                            (t[i - 1].type == Tok::kWord && Lower(t[i - 1].text) == "new"));
    // Backtick shell strings.
    if (k.type == Tok::kString && k.quote == '`' && taint.Tainted(i))
      Add(out, "php.request_to_shell", "exec", 4,
          "runs request input as a shell command (backticks)", layer);
    if (k.type == Tok::kVar && call && !member) {
      size_t close = taint.Close(i + 1);
      if (taint.Tainted(i) || (taint.extract(i) && k.text != "$this"))
        Add(out, "php.request_as_function", "exec", 4,
            "calls a function whose name comes from the request (" + k.text + "(...))", layer);
      else if (taint.RangeTainted(i + 2, close))
        Add(out, "php.request_to_dynamic_call", "exec", 3,
            "passes request input to a variable function " + k.text + "(...)", layer);
    }
    // $_GET['a']($_GET['b']) and friends: a request value called.
    if (k.type == Tok::kVar && taint.IsSource(i) && i + 1 < t.size() && IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "("))
        Add(out, "php.request_as_function", "exec", 4,
            "calls a function named by request input (" + k.text + "[...](...))", layer);
    }
    // $list[0]['fn']($_POST['x']): a function taken from an array element and called on
    // request input (the element was set to 'assert' where no fold follows it).
    if (k.type == Tok::kVar && !taint.IsSource(i) && !member && i + 1 < t.size() &&
        IsOp(t[i + 1], "[")) {
      size_t j = i + 1;
      while (j < t.size() && IsOp(t[j], "[")) j = taint.ExprEnd(j + 1, false) + 1;
      if (j < t.size() && IsOp(t[j], "(") && taint.RangeTainted(j + 1, taint.Close(j)))
        Add(out, "php.request_to_dynamic_call", "exec", 3,
            "passes request input to a function taken from " + k.text + "[...]", layer);
    }
    // new ReflectionFunction($_GET['f']): the request names the function to run.
    if (k.type == Tok::kWord && call && i > 0 && t[i - 1].type == Tok::kWord &&
        Lower(t[i - 1].text) == "new" && Lower(k.text) == "reflectionfunction" &&
        taint.RangeTainted(i + 2, taint.Close(i + 1)))
      Add(out, "php.request_as_function", "exec", 4,
          "calls a function whose name comes from the request (ReflectionFunction)", layer);
    // str_rot13('nffreg') handed to a call: an execution sink named through an encoding,
    // to be called back by whatever receives it.
    if (k.type == Tok::kString && !k.decoded_by.empty() && i > 0 &&
        (IsOp(t[i - 1], "(") || IsOp(t[i - 1], ",")) && i + 1 < t.size() &&
        (IsOp(t[i + 1], ")") || IsOp(t[i + 1], ",")) &&
        In(Lower(k.text), {"assert", "system", "passthru", "shell_exec", "exec", "popen",
                           "proc_open", "create_function", "pcntl_exec"}))
      Add(out, "php.hidden_exec_call", "exec", 3,
          "passes " + Lower(k.text) + " as a callback, its name hidden (" + k.decoded_by + ")",
          layer);
    if (k.type != Tok::kWord || member) continue;
    std::string w = Lower(k.text);
    if (In(w, {"base64_encode", "serialize", "json_encode", "openssl_encrypt", "bin2hex",
               "gzdeflate", "gzcompress", "str_rot13", "urlencode", "http_build_query"}))
      encode = true;
    // include / require of request input.
    if (In(w, {"include", "include_once", "require", "require_once"})) {
      size_t end = taint.ExprEnd(i + 1, false);
      if (taint.RangeRemote(i + 1, end))
        Add(out, "php.remote_code", "exec", 4, "includes code fetched from a URL", layer);
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
        Add(out, fixed_prefix ? "php.request_names_include" : "php.request_to_include", "exec",
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
      Add(out, "php.hidden_exec_call", "exec", 3,
          "calls " + w + "() through a name built from pieces", layer);
    else if (k.concealed && (In(w, kCodeSinks) || In(w, kDecoders) ||
                             In(w, {"file_put_contents", "fwrite", "move_uploaded_file"})))
      Add(out, "obfuscation.hidden_function_name", "obfuscation", 2,
          "calls " + w + "() through a name built from pieces", layer);
    // An execution sink on a value the code computes: weak alone (template engines eval
    // compiled code), telling beside an independent obfuscation trait.
    if (In(w, {"eval", "assert", "create_function", "system", "exec", "shell_exec", "passthru",
               "popen", "proc_open"}) &&
        !(i + 3 < t.size() && t[i + 2].type == Tok::kString && IsOp(t[i + 3], ")"))) {
      Add(out, "php.exec_sink", "exec", 2, "passes a computed value to " + w + "()", layer);
      for (CodeTrait& ct : out)
        if (ct.id == "php.exec_sink") ct.alone = false;
    }
    // $f = 'c'.'o'.'p'.'y'; $f($_FILES[..]): request input handed to a function whose name
    // was built so that no search finds the call.
    if (k.concealed && tainted_args && !In(w, kCodeSinks) && !In(w, kShellSinks))
      Add(out, "php.request_to_hidden_call", "exec", 3,
          "passes request input to " + w + "(), called through a name built from pieces", layer);
    if (In(w, kShellSinks) && tainted_args)
      Add(out, "php.request_to_shell", "exec", 4,
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
        Add(out, "php.request_to_computed_callback", "exec", 3,
            "passes request input to " + w + "() with a callback whose name is computed", layer);
      if (code_sink || callback_from_request || evaluating_callback)
        Add(out, "php.request_to_exec", "exec", 4, "runs request input as PHP code (" + w + ")",
            layer);
    }
    if (In(w, kCodeSinks) && !In(w, {"eval", "assert", "create_function"}) && i + 2 < close &&
        t[i + 2].type == Tok::kString &&
        In(Lower(t[i + 2].text),
           {"assert", "eval", "system", "passthru", "shell_exec", "exec", "popen"}))
      Add(out, "php.hidden_exec_call", "exec", 3,
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
      Add(out, tainted_args ? "php.request_to_exec" : "php.preg_replace_e", "exec",
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
        Add(out, "php.decode_and_run", "exec", 3,
            "decodes a hidden payload and runs it (" + w + ")", layer);
      if (taint.RangeRemote(i + 2, close))
        Add(out, "php.remote_code", "exec", 4, "runs code fetched from a URL (" + w + ")", layer);
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
        Add(out, "php.upload_as_client_name", "upload", 3,
            "saves an uploaded file under the name and place the client chose", layer);
      else
        Add(out, "php.upload", "upload", 1, "saves an uploaded file", layer);
    }
    if (In(w, {"file_put_contents", "fwrite", "fputs"})) {
      size_t first_end = taint.ExprEnd(i + 2, true);
      bool path_tainted = taint.RangeTainted(i + 2, first_end);
      bool data_tainted = taint.RangeTainted(first_end, close);
      int code = taint.RangePhpCode(first_end, close);
      if (code)
        Add(out, "php.writes_php_code", "upload", code == 2 ? 3 : 2,
            code == 2 ? "writes PHP code hidden under an encoding to a file"
                      : "writes PHP code held in a string to a file",
            layer);
      if (path_tainted && data_tainted && w == "file_put_contents")
        Add(out, "php.request_to_file", "upload", 3,
            "writes request content to a file the request names", layer);
      for (size_t a = first_end; a < close; ++a)
        if (t[a].type == Tok::kWord && In(Lower(t[a].text), {"file_get_contents", "curl_exec"}) &&
            a + 2 < close && t[a + 2].type == Tok::kString &&
            (t[a + 2].text.rfind("http://", 0) == 0 || t[a + 2].text.rfind("https://", 0) == 0))
          Add(out, "php.fetch_to_file", "upload", 2, "writes code fetched from a URL to a file",
              layer);
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
      Add(out, "php.request_to_unserialize", "exec", 3,
          "unserialises request input (object injection runs the classes' magic methods)", layer);
    if (w == "mail" && taint.RangeTainted(i + 2, taint.ExprEnd(i + 2, true)))
      Add(out, "php.request_mailer", "mailer", 3, "sends mail to recipients the request names",
          layer);
    if (In(w, {"fsockopen", "pfsockopen", "socket_connect", "stream_socket_client"}) &&
        tainted_args)
      Add(out, "php.request_socket", "network", 2, "opens a connection to a host the request names",
          layer);
  }
  bool modifies = request_ops.count("write") || request_ops.count("delete");
  if (request_ops.size() >= 2 && modifies) {
    std::string ops;
    for (const std::string& o : request_ops) ops += (ops.empty() ? "" : ", ") + o;
    Add(out, "php.request_file_manager", "filemanager", 3,
        "file manager: request input drives " + ops + " operations", layer);
  } else if (!request_ops.empty()) {
    Add(out, "php.request_file_op", "filemanager", 2,
        "request input names file operations (" + *request_ops.begin() + ")", layer);
  }
  if (card && card_out && encode)
    Add(out, "php.card_data_writer", "exfil", 3,
        "serialises payment card fields and writes or mails them", layer);
  if (decoded_literals > 0 && layer.find('>') == std::string::npos)
    Add(out, "obfuscation.decoded_literals", "obfuscation", 1,
        std::to_string(decoded_literals) + " literal(s) decoded from an encoding layer", layer);
  // A layer reached through a decoder (not just an eval of plain literal code).
  bool encoded = false;
  for (std::string_view d : {"base64", "inflate", "gz", "rot13", "strrev", "hex2bin", "urldecode",
                             "xor", "pack", "zlib", "uudecode"})
    if (layer.find(d) != std::string::npos) encoded = true;
  if (encoded)
    Add(out, "obfuscation.encoded_code", "obfuscation", 2, "code hidden under an encoding layer",
        layer);
}

void AnalyzeJs(const std::vector<Token>& t, const std::string& layer, bool decoded,
               std::vector<CodeTrait>& out) {
  bool card = false, checkout = false, grab = false, image = false, beacon = false, socket = false,
       xhr = false, fetch = false, encode = false, script_el = false, run = false,
       foreign_url = false, hidden_url = false, obf = decoded;
  size_t hex_names = 0, concealed = 0;
  auto channel_name = [&](const std::string& v) {
    if (v == "Image") image = true;
    if (v == "sendBeacon") beacon = true;
    if (v == "WebSocket") socket = true;
    if (v == "XMLHttpRequest") xhr = true;
    if (v == "fetch") fetch = true;
  };
  for (size_t i = 0; i < t.size(); ++i) {
    const Token& k = t[i];
    if (k.type == Tok::kString) {
      // Obfuscators keep names in string arrays, often base64 (standard or case-swapped
      // alphabet): read those too.
      std::string alt;
      if (k.text.size() >= 4 && k.text.size() <= 256) {
        for (int swap = 0; swap < 2 && alt.empty(); ++swap) {
          std::string in = k.text;
          if (swap)
            for (char& ch : in)
              ch = std::isupper(static_cast<unsigned char>(ch))
                       ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
                       : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          Decoded d = DecodeBase64(in, 512);
          bool clean = d.ok && d.out.size() >= 3;
          for (unsigned char ch : d.out)
            if (ch < 0x20 || ch > 0x7e) clean = false;
          if (clean) alt = d.out;
        }
      }
      for (const std::string* v : {&k.text, static_cast<const std::string*>(&alt)}) {
        if (v->empty()) continue;
        channel_name(*v);
        if (v == &alt) {
          if (CardName(*v)) card = true, obf = true;
          std::string la = Lower(*v);
          if (la.find("checkout") != std::string::npos || la.find("onestep") != std::string::npos)
            checkout = true, obf = true;
          if (la.rfind("http", 0) == 0 || la.rfind("//", 0) == 0 || la.rfind("wss://", 0) == 0)
            foreign_url = true, hidden_url = true, obf = true;
        }
      }
      if (CardName(k.text)) card = true;
      std::string l = Lower(k.text.substr(0, 200));
      if (l.find("checkout") != std::string::npos || l.find("onestep") != std::string::npos ||
          l.find("onepage") != std::string::npos)
        checkout = true;
      if (l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0 || l.rfind("//", 0) == 0 ||
          l.rfind("wss://", 0) == 0 || l.rfind("ws://", 0) == 0) {
        foreign_url = true;
        if (!k.decoded_by.empty() || decoded) hidden_url = true;
      }
      if (!k.decoded_by.empty()) obf = true;
      if ((l == "input" || l == "select" || l == "form" || l == "textarea") && i >= 2 &&
          t[i - 2].type == Tok::kWord &&
          In(t[i - 2].text, {"querySelectorAll", "getElementsByTagName", "querySelector"}))
        grab = true;
      if (l == "script" && i >= 2 && t[i - 2].type == Tok::kWord &&
          t[i - 2].text == "createElement")
        script_el = true;
      continue;
    }
    if (k.type != Tok::kWord) continue;
    if (k.concealed) ++concealed;
    if (k.text.rfind("_0x", 0) == 0) ++hex_names;
    if (CardName(k.text)) card = true;
    const std::string& w = k.text;
    if (w == "serialize" || w == "serializeArray" || w == "FormData" || w == "elements")
      grab = true;
    if (w == "Image" && i > 0 && t[i - 1].type == Tok::kWord && t[i - 1].text == "new")
      image = true;
    if (w == "sendBeacon") beacon = true;
    if (w == "WebSocket") socket = true;
    if (w == "XMLHttpRequest") xhr = true;
    if (w == "fetch" && i + 1 < t.size() && IsOp(t[i + 1], "(")) fetch = true;
    if (In(w, {"btoa", "encodeURIComponent", "escape", "stringify"})) encode = true;
    if ((w == "eval" || w == "Function") && i + 1 < t.size() && IsOp(t[i + 1], "(")) run = true;
  }
  // Obfuscated: a decoded layer, decoded literals, names hidden in a base64 table, or an
  // obfuscator's _0x names. (Minified code has bracket calls and fromCharCode too.)
  if (hex_names >= 8) obf = true;
  // Data leaves for a host written in the code; a WebSocket or beacon is a channel of its own.
  bool channel = socket || ((image || beacon || xhr || fetch) && foreign_url);
  if ((card || (grab && checkout)) && channel) {
    int strength = (obf || (encode && foreign_url) || socket) ? 4 : 3;
    Add(out, "js.card_exfil", "exfil", strength,
        std::string("reads ") + (card ? "payment card fields" : "checkout form fields") +
            " and sends them out through " +
            (socket   ? "a WebSocket"
             : image  ? "an image request"
             : beacon ? "sendBeacon"
                      : "an HTTP request to a URL in the code"),
        layer);
  }
  if (socket && run)
    Add(out, "js.remote_code", "exec", 3, "runs code received over a WebSocket", layer);
  if (script_el && foreign_url)
    Add(out, "js.script_injection", "inject", hidden_url ? 3 : 1,
        hidden_url ? "loads a script from a host hidden in encoded code"
                   : "creates a script element loading a URL given in the code",
        layer);
  if (decoded && run) Add(out, "js.decode_and_run", "exec", 2, "decodes code and runs it", layer);
  if (obf && (hex_names >= 8 || concealed >= 16))
    Add(out, "obfuscation.js_packed", "obfuscation", 1,
        "obfuscated JavaScript (string arrays, built names)", layer);
}

void AnalyzeHtml(std::string_view html, const std::string& layer, std::vector<CodeTrait>& out) {
  // <script src="//host/..."> : a script from a host named by URL. Which hosts the store
  // already uses is only known across the whole tree, so this is weak on its own.
  std::string l = Lower(html.substr(0, 4u << 20));
  size_t n = 0;
  for (size_t p = l.find("<script"); p != std::string::npos && n < 64;
       p = l.find("<script", p + 7)) {
    size_t gt = l.find('>', p);
    if (gt == std::string::npos) break;
    std::string_view tag = std::string_view(l).substr(p, gt - p);
    size_t src = tag.find("src=");
    if (src == std::string_view::npos) continue;
    std::string_view v = tag.substr(src + 4);
    if (!v.empty() && (v[0] == '"' || v[0] == '\'')) v.remove_prefix(1);
    if (v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0 || v.rfind("//", 0) == 0) {
      ++n;
      Add(out, "html.external_script", "inject", 1, "loads a script from another host", layer);
    }
  }
}

}  // namespace tq::webroot
