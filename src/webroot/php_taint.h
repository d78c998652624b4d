// Implementation header (behaviour.cc only): the shallow taint tracking over folded PHP
// tokens. Request input is followed through assignments, foreach, function parameters (by
// position) and closures within each function scope; it also records which variables hold
// decoded, computed (xor), fetched or PHP-source values, where loops are, and which user
// functions decode strings byte by byte. Linear in the tokens (bounded look-ahead).
#pragma once

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/text.h"
#include "webroot/code_lexer.h"

namespace tq::webroot::php {

using tq::Lower;
inline bool IsAssignOp(const Token& t) {
  return t.type == Tok::kOp && (t.text == "=" || t.text == ".=" || t.text == "?\?=");
}

inline bool In(std::string_view w, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}
inline bool In(std::string_view w, const std::vector<std::string_view>& set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

inline const std::initializer_list<std::string_view> kCodeSinks = {"eval",
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
                                                                   "preg_replace_callback_array",
                                                                   "spl_autoload_register",
                                                                   "header_register_callback"};
inline const std::initializer_list<std::string_view> kShellSinks = {
    "system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "expect_popen"};
inline const std::initializer_list<std::string_view> kDecoders = {
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
    // $r = $om->get(RequestInterface::class), $r = $this->getRequest(): a variable holding the
    // request object, whose accessors RequestAccessor reads as request input.
    for (size_t i = 0; i + 4 < t_.size(); ++i) {
      if (t_[i].type != Tok::kVar || !IsOp(t_[i + 1], "=")) continue;
      size_t k = i + 2;
      while (k + 1 < t_.size() && k < i + 40 && !IsOp(t_[k + 1], "(") && !IsOp(t_[k], ";")) ++k;
      if (k + 1 >= t_.size() || !IsOp(t_[k + 1], "(") || k == 0 ||
          !(IsOp(t_[k - 1], "->") || IsOp(t_[k - 1], "::")))
        continue;
      std::string call = Lower(t_[k].text);
      size_t close = match[k + 1];
      bool request =
          call == "getrequest" || (In(call, {"get", "create"}) && NamesRequest(k + 2, close));
      if (request && close + 1 < t_.size() && IsOp(t_[close + 1], ";"))
        request_objects_.insert(Lower(t_[i].text));
    }
    in_loop_.assign(t_.size(), false);
    for (size_t i = 0, depth = 0; i < t_.size(); ++i) {
      depth += diff[i];
      in_loop_[i] = depth > 0;
    }
    // Function bodies are scopes of their own (PHP variables are function-local): a $cmd in
    // one method is not the $cmd of another, which keeps large framework files quiet.
    int next = 1;
    // Nested definitions make these body scans quadratic (each body is walked once per
    // enclosing function); they share one budget, and a function past it stays part of the
    // enclosing scope (hostile nests only: real files are far below it).
    size_t body_budget = 1u << 22;
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
      size_t cost = std::min(end, t_.size()) - j + 1;
      if (2 * cost > body_budget) continue;
      body_budget -= 2 * cost;
      int id = next++;
      // A decoder of the file's own: a loop that builds a string from chr()/ord()/xor.
      if (!name.empty()) {
        bool loop = false, bytes = false;
        for (size_t k = body; k < end && k < t_.size(); ++k) {
          if (t_[k].type == Tok::kWord && In(Lower(t_[k].text), {"for", "while", "foreach"}))
            loop = true;
          // A fetcher of the file's own: curl_exec or file_get_contents in its body.
          if (t_[k].type == Tok::kWord && In(Lower(t_[k].text), {"curl_exec", "file_get_contents"}))
            fetcher_functions_.insert(name);
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
        size_t& body_size = body_size_[name];
        body_size = std::max(body_size, end - body);
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
      if (scope_[i] == 0 && !request_globals_.empty() && request_globals_.count(k.text))
        return true;
      if (In(k.text,
             {"$_GET", "$_POST", "$_REQUEST", "$_COOKIE", "$_FILES", "$HTTP_GET_VARS",
              "$HTTP_POST_VARS", "$HTTP_RAW_POST_DATA", "$HTTP_POST_FILES", "$HTTP_COOKIE_VARS"}))
        return true;
      // Request headers, and the query string as a whole (parsed by the page itself).
      if (k.text == "$_SERVER" && i + 2 < t_.size() && IsOp(t_[i + 1], "[") &&
          t_[i + 2].type == Tok::kString &&
          (t_[i + 2].text.rfind("HTTP_", 0) == 0 || t_[i + 2].text == "QUERY_STRING"))
        return true;
      // $$name where $name walks a list of superglobal names:
      // foreach (array('_GET', '_POST') as $r) foreach ($$r as $k => $v) ...
      if (k.text == "$" && i + 1 < t_.size() && t_[i + 1].type == Tok::kVar &&
          superglobal_names_.count(Key(i + 1)))
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
      if (In(w, {"getallheaders", "apache_request_headers"})) return true;
      // filter_input(INPUT_POST, 'c') and filter_input_array(INPUT_GET): the superglobals read
      // through the filter extension (FILTER_DEFAULT passes the bytes as sent).
      if (In(w, {"filter_input", "filter_input_array"}) && i + 2 < t_.size() &&
          IsOp(t_[i + 1], "(") && t_[i + 2].type == Tok::kWord &&
          In(t_[i + 2].text, {"INPUT_GET", "INPUT_POST", "INPUT_COOKIE", "INPUT_REQUEST"}))
        return true;
      return RequestAccessor(i);
    }
    return false;
  }

  // Tokens [a, b) name the request class (RequestInterface::class,
  // 'Magento\Framework\App\Request\Http').
  bool NamesRequest(size_t a, size_t b) const {
    for (size_t k = a; k < b && k < t_.size() && k < a + 16; ++k)
      if ((t_[k].type == Tok::kWord || t_[k].type == Tok::kString) &&
          Lower(std::string_view(t_[k].text).substr(0, 200)).find("request") != std::string::npos)
        return true;
    return false;
  }

  // The request object of a store framework read through its accessors:
  // $this->getRequest()->getParam('c') (Magento, Zend), Tools::getValue('c') (PrestaShop),
  // $request->input('c') / $request->query->get('c') (Laravel, Symfony),
  // $app->input->get('c') and JRequest::getVar('c') (Joomla).
  bool RequestAccessor(size_t i) const {
    if (i < 2 || i + 1 >= t_.size() || !IsOp(t_[i + 1], "(")) return false;
    bool arrow = IsOp(t_[i - 1], "->"), colons = IsOp(t_[i - 1], "::");
    if (!arrow && !colons) return false;
    std::string w = Lower(t_[i].text);
    // The receiver: a name ($request, request), or the call that returned it (getRequest()).
    // (The object manager's get(RequestInterface::class) returns the request too.)
    auto receiver = [&](size_t k) {
      size_t close = k;
      if (IsOp(t_[k], ")"))
        for (size_t back = 0, depth = 0; k > 0 && back < 64; --k, ++back) {
          if (IsOp(t_[k], ")")) ++depth;
          if (IsOp(t_[k], "(") && --depth == 0) {
            std::string call = k > 0 ? Lower(t_[k - 1].text) : "";
            if (In(call, {"get", "create"}) && NamesRequest(k + 1, close))
              return std::string("request");
            return call;
          }
        }
      return Lower(t_[k].text);
    };
    std::string owner = receiver(i - 2);
    auto requestish = [](const std::string& n) { return n.find("request") != std::string::npos; };
    if (colons)
      return (owner == "tools" && In(w, {"getvalue", "getallvalues"})) ||
             (owner == "jrequest" && In(w, {"getvar", "getstring", "getcmd", "get"}));
    // Joomla: $app->input->get('c').
    if (owner == "input" && In(w, {"get", "getstring", "getraw", "getcmd", "getvar", "getbase64"}))
      return true;
    bool accessor =
        In(w, {"getparam", "getparams", "getpost", "getpostvalue", "getquery", "getcookie",
               "getuserparam", "input", "get", "post", "query", "all", "cookie"});
    if (!accessor) return false;
    // $this->getRequest()->getParam('c'), $request->input('c'); and Symfony's bags:
    // $request->query->get('c') (a bag of the request: its cookies and headers pass through
    // frameworks whole, so only the query bag counts).
    if (requestish(owner) || request_objects_.count(owner)) return true;
    return owner == "query" && i >= 4 && IsOp(t_[i - 3], "->") && requestish(receiver(i - 4));
  }

  // fgets($sock): what a connection the code opened sends (a back-connect shell takes its
  // commands so), or a variable holding it. Kept apart from request input: an HTTP client
  // writing a download to a file is not a file manager.
  bool SocketData(size_t i) const {
    const Token& k = t_[i];
    if (k.type == Tok::kVar) return socket_data_.count(Key(i)) > 0;
    return k.type == Tok::kWord && !socket_vars_.empty() && i + 2 < t_.size() &&
           IsOp(t_[i + 1], "(") && t_[i + 2].type == Tok::kVar && socket_vars_.count(Key(i + 2)) &&
           In(Lower(k.text), {"fgets", "fread", "fgetc", "stream_get_line", "socket_read",
                              "socket_recv", "stream_get_contents", "fscanf"});
  }
  bool RangeSocketData(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i)
      if (SocketData(i)) return true;
    return false;
  }

  bool InLoop(size_t i) const { return i < in_loop_.size() && in_loop_[i]; }

  // After extract($_POST) (or with register_globals emulated so), a variable the scope
  // never assigns comes from the request.
  bool Extracted(int scope, const std::string& name) const {
    return extract_.count(scope) && name.size() > 1 && name != "$this" &&
           !assigned_.count(Key(scope, name));
  }

  // `whole`: an array with one element set to request input counts as request input when
  // used whole (system(implode(' ', $a))); copying it (ValueTainted) does not make every
  // element of the copy the request's.
  bool Tainted(size_t i, bool whole = true) const {
    if (IsSource(i)) return true;
    const Token& k = t_[i];
    // Request input kept in the session comes back out of it (a stager's second request).
    if (k.type == Tok::kVar && k.text == "$_SESSION" && session_tainted_) return true;
    if (k.type == Tok::kVar && !elements_.empty() && !vars_.count(Key(i))) {
      // An element written with request input: that element, or the array as a whole.
      bool indexed = i + 1 < t_.size() && IsOp(t_[i + 1], "[");
      std::string prefix = Key(i) + "[";
      if (indexed && i + 3 < t_.size() && t_[i + 2].type == Tok::kString &&
          elements_.count(prefix + t_[i + 2].text))
        return true;
      if (!indexed && whole) {
        auto it = elements_.lower_bound(prefix);
        if (it != elements_.end() && it->rfind(prefix, 0) == 0) return true;
      }
    }
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
        while (i + 2 < b && IsOp(t_[i + 1], "->") && t_[i + 2].type == Tok::kWord &&
               !RequestAccessor(i + 2))
          i += 2;
        continue;
      }
      if (Tainted(i, false)) return true;
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

  // `$x = ...` at `i` that keeps what $x held: an append, a value computed from $x itself
  // ($d = str_replace('\\', '/', $d)) or a default set only when $x is absent or empty
  // (if (!isset($d)) $d = ''; if ($d == '') $d = './'). After extract($_POST) or a
  // register_globals emulation, $x still holds the request's value past such assignments.
  bool KeepsValue(size_t i) const {
    if (t_[i + 1].text == ".=" || t_[i + 1].text == "?\?=") return true;
    size_t end = ExprEnd(i + 2, true);
    for (size_t k = i + 2; k < end && k < t_.size(); ++k)
      if (t_[k].type == Tok::kVar && t_[k].text == t_[i].text) return true;
    // if (<condition on $x alone>) [{] $x = ...
    size_t j = i;
    if (j > 0 && IsOp(t_[j - 1], "{")) --j;
    if (j < 4 || !IsOp(t_[j - 1], ")")) return false;
    size_t close = j - 1, open = close;
    for (int depth = 0, n = 0; open > 0 && n < 12; --open, ++n) {
      if (IsOp(t_[open], ")")) ++depth;
      if (IsOp(t_[open], "(") && --depth == 0) break;
    }
    if (open == 0 || !IsOp(t_[open], "(") || t_[open - 1].type != Tok::kWord ||
        Lower(t_[open - 1].text) != "if")
      return false;
    bool same = false, test = false;
    for (size_t k = open + 1; k < close; ++k) {
      if (t_[k].type == Tok::kVar) {
        if (t_[k].text != t_[i].text) return false;
        same = true;
      }
      if ((t_[k].type == Tok::kWord && In(Lower(t_[k].text), {"isset", "empty"})) ||
          (t_[k].type == Tok::kOp && In(t_[k].text, {"!", "==", "==="})))
        test = true;
    }
    return same && test;
  }

  void Propagate() {
    // Only where the request may set any variable (extract, import_request_variables, $$n =):
    // elsewhere such assignments are the code's own.
    bool request_may_set = false;
    for (size_t i = 0; i + 1 < t_.size() && !request_may_set; ++i)
      request_may_set = (t_[i].type == Tok::kWord &&
                         In(Lower(t_[i].text), {"extract", "import_request_variables"}) &&
                         IsOp(t_[i + 1], "(")) ||
                        (t_[i].type == Tok::kVar && t_[i].text == "$");
    for (size_t i = 0; i + 1 < t_.size(); ++i) {
      if (t_[i].type == Tok::kVar && IsAssignOp(t_[i + 1]) && request_may_set && KeepsValue(i))
        continue;
      if (t_[i].type == Tok::kVar && (IsAssignOp(t_[i + 1]) || (i > 0 && IsOp(t_[i - 1], "as")) ||
                                      (i > 0 && t_[i - 1].type == Tok::kWord &&
                                       In(Lower(t_[i - 1].text), {"as", "global", "static"}))))
        assigned_.insert(Key(i));
      // $a[..] = v and $a[] = v set $a too; so do list($a, $b) = ... and [$a, $b] = ...
      if (t_[i].type == Tok::kVar && IsOp(t_[i + 1], "[") && ElementWrite(i))
        assigned_.insert(Key(i));
      if ((t_[i].type == Tok::kWord && Lower(t_[i].text) == "list" && IsOp(t_[i + 1], "(")) ||
          (IsOp(t_[i], "[") && (i == 0 || IsOp(t_[i - 1], ";") || IsOp(t_[i - 1], "{")))) {
        size_t open = t_[i].type == Tok::kWord ? i + 1 : i;
        size_t close = Close(open);
        if (close + 1 < t_.size() && IsOp(t_[close + 1], "="))
          for (size_t k = open + 1; k < close; ++k)
            if (t_[k].type == Tok::kVar)
              destructured_.push_back({k, close + 2}), assigned_.insert(Key(k));
      }
      // Functions that set a variable passed to them (by reference): its value is theirs.
      if (t_[i].type == Tok::kWord && IsOp(t_[i + 1], "(") &&
          In(Lower(t_[i].text), {"preg_match",
                                 "preg_match_all",
                                 "exec",
                                 "parse_str",
                                 "mb_parse_str",
                                 "sscanf",
                                 "settype",
                                 "similar_text",
                                 "openssl_sign",
                                 "openssl_open",
                                 "openssl_seal",
                                 "openssl_private_decrypt",
                                 "openssl_public_encrypt",
                                 "openssl_private_encrypt",
                                 "openssl_public_decrypt",
                                 "getmxrr",
                                 "dns_get_mx",
                                 "stream_select",
                                 "socket_getpeername",
                                 "str_replace",
                                 "str_ireplace",
                                 "preg_replace",
                                 "array_push",
                                 "array_unshift",
                                 "flock",
                                 "fsockopen",
                                 "proc_open",
                                 "headers_sent",
                                 "is_callable",
                                 "curl_multi_exec",
                                 "openssl_pkcs12_read"})) {
        // The replace functions take their subject by value: only the count they report
        // (the fourth argument, the fifth of preg_replace) is written.
        std::string fn = Lower(t_[i].text);
        size_t by_ref_from = In(fn, {"str_replace", "str_ireplace"}) ? 3
                             : fn == "preg_replace"                  ? 4
                                                                     : 0;
        size_t arg = 0;
        int depth = 0;
        for (size_t k = i + 2, close = Close(i + 1); k < close; ++k) {
          if (k - 1 > i + 1 && (IsOp(t_[k - 1], "(") || IsOp(t_[k - 1], "["))) ++depth;
          if ((IsOp(t_[k - 1], ")") || IsOp(t_[k - 1], "]")) && depth > 0) --depth;
          if (IsOp(t_[k - 1], ",") && depth == 0) ++arg;
          if (t_[k].type == Tok::kVar && (IsOp(t_[k - 1], ",") || IsOp(t_[k - 1], "&")) &&
              arg >= by_ref_from)
            assigned_.insert(Key(k));
        }
      }
      if (t_[i].type == Tok::kWord &&
          In(Lower(t_[i].text),
             {"include", "include_once", "require", "require_once", "extract", "parse_str",
              "mb_parse_str", "import_request_variables", "get_defined_vars"}))
        dynamic_vars_ = true;  // variables may come from another file or a computed set
      if (t_[i].type == Tok::kVar && t_[i].text == "$") dynamic_vars_ = true;  // $$name
    }
    for (const Token& k : t_)
      if (k.type == Tok::kString || k.type == Tok::kHtml) CollectParameters(k.text);
    // Connections the code opens: $s = fsockopen(...), socket_create/accept, stream clients,
    // also through a variable set to one of those names (stagers try each in turn:
    // if (($f = 'stream_socket_client') && is_callable($f)) $s = $f(...)).
    auto opener = [](const std::string& name) {
      return In(Lower(name), {"fsockopen", "pfsockopen", "stream_socket_client", "socket_create",
                              "socket_accept", "stream_socket_accept"});
    };
    std::set<std::string> opener_names;
    for (size_t i = 0; i + 2 < t_.size(); ++i)
      if (t_[i].type == Tok::kVar && IsOp(t_[i + 1], "=") && t_[i + 2].type == Tok::kString &&
          opener(t_[i + 2].text))
        opener_names.insert(Key(i));
    for (size_t i = 0; i + 3 < t_.size(); ++i) {
      size_t v = i + 2;
      while (v < t_.size() && IsOp(t_[v], "@")) ++v;
      if (t_[i].type == Tok::kVar && IsOp(t_[i + 1], "=") && v + 1 < t_.size() &&
          IsOp(t_[v + 1], "(") &&
          ((t_[v].type == Tok::kWord && opener(t_[v].text)) ||
           (t_[v].type == Tok::kVar && opener_names.count(Key(v)))))
        socket_vars_.insert(Key(i));
    }
    // Variables that hold a superglobal's name: foreach over a list of them, or a literal.
    auto superglobal = [](const Token& k) {
      return k.type == Tok::kString &&
             In(k.text, {"_GET", "_POST", "_REQUEST", "_COOKIE", "_FILES", "_SERVER"});
    };
    for (size_t i = 0; i + 2 < t_.size(); ++i) {
      if (t_[i].type == Tok::kVar && IsOp(t_[i + 1], "=") && superglobal(t_[i + 2]))
        superglobal_names_.insert(Key(i));
      if (!(t_[i].type == Tok::kWord && Lower(t_[i].text) == "foreach" && IsOp(t_[i + 1], "(")))
        continue;
      size_t close = Close(i + 1), as = i + 2;
      bool names = false;
      for (; as < close && !(t_[as].type == Tok::kWord && Lower(t_[as].text) == "as"); ++as)
        names = names || superglobal(t_[as]);
      if (names && as + 1 < close && t_[as + 1].type == Tok::kVar)
        superglobal_names_.insert(Key(as + 1));
    }
    // register_globals: a top-level variable nothing sets whose name the page's own forms or
    // links send as a request parameter (<input name=cmd> ... system($cmd)) is request input.
    for (size_t i = 0; i < t_.size(); ++i)
      if (Undefined(i) && page_parameters_.count(t_[i].text.substr(1)))
        request_globals_.insert(t_[i].text);
    for (const auto& [name, defs] : params_)
      for (const std::vector<Param>& ps : defs)
        for (const Param& p : ps) assigned_.insert(p.key);
    for (int round = 0; round < 3; ++round) {
      size_t before = vars_.size() + elements_.size() + extract_.size() + session_tainted_;
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
          if (RangeSocketData(i + 2, end)) socket_data_.insert(Key(i));
          // $t = array('k' => pack(...), ...) or explode('|', base64_decode('...')): a table
          // of strings that a decoder produced (function names, once called).
          if (DecodedTable(i + 2, end)) decoded_table_.insert(Key(i));
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
          // $u = $_FILES['f']: one upload's entry, whose ['name'] is the client's.
          if (end == i + 6 && t_[i + 2].type == Tok::kVar && t_[i + 2].text == "$_FILES" &&
              IsOp(t_[i + 3], "[") && IsOp(t_[i + 5], "]"))
            upload_entries_.insert(Key(i));
        }
        // parse_str($_SERVER['QUERY_STRING'], $args): the result array holds request input.
        if (t_[i].type == Tok::kWord && In(Lower(t_[i].text), {"parse_str", "mb_parse_str"}) &&
            IsOp(t_[i + 1], "(")) {
          size_t first_end = ExprEnd(i + 2, true), close = Close(i + 1);
          if (first_end + 2 == close && t_[first_end + 1].type == Tok::kVar &&
              RangeTainted(i + 2, first_end))
            vars_.insert(Key(first_end + 1));
        }
        // fwrite($h, $_POST['c']): the handle now holds request input, and what is read back
        // through it (stream_get_contents($h), a php://memory or tmpfile() stream) is too.
        if (t_[i].type == Tok::kWord && In(Lower(t_[i].text), {"fwrite", "fputs"}) &&
            IsOp(t_[i + 1], "(") && i + 3 < t_.size() && t_[i + 2].type == Tok::kVar &&
            IsOp(t_[i + 3], ",") && RangeTainted(i + 4, Close(i + 1)))
          vars_.insert(Key(i + 2));
        // foreach ($_POST as $k => $v)
        if (t_[i].type == Tok::kWord && Lower(t_[i].text) == "foreach" && IsOp(t_[i + 1], "(")) {
          size_t close = Close(i + 1);
          size_t as = i + 2;
          while (as < close && !(t_[as].type == Tok::kWord && Lower(t_[as].text) == "as")) ++as;
          if (as < close && RangeTainted(i + 2, as))
            for (size_t k = as; k < close; ++k)
              if (t_[k].type == Tok::kVar) vars_.insert(Key(k));
        }
        // f($_POST['x']) taints the parameters of a function f defined in the same code, and
        // so does $obj->f($_POST['x']) of a method the file defines (a class whose method
        // evaluates its argument is a favourite wrapper around eval).
        if (t_[i].type == Tok::kWord && IsOp(t_[i + 1], "(") &&
            !(i > 0 && t_[i - 1].type == Tok::kWord && Lower(t_[i - 1].text) == "function")) {
          // Positionally: f('media', $_POST['id']) taints the second parameter only.
          auto def = params_.find(Lower(t_[i].text));
          size_t close = Close(i + 1);
          // Methods: only small wrappers (a class of a framework hands request objects
          // through many methods; a class that wraps eval is a few tokens long).
          bool method = i > 0 && (IsOp(t_[i - 1], "->") || IsOp(t_[i - 1], "::"));
          if (method && def != params_.end() && body_size_.at(def->first) > 40) def = params_.end();
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
        // $$name = $_POST[$name] (a register_globals emulation over a list of names): like
        // extract(), any variable may come from the request.
        if (t_[i].type == Tok::kVar && t_[i].text == "$") {
          size_t v = i + 1;
          if (v < t_.size() && IsOp(t_[v], "{")) v = Close(v);
          if (v + 2 < t_.size() && IsAssignOp(t_[v + 1]) &&
              ValueTainted(v + 2, ExprEnd(v + 2, true)))
            extract_.insert(scope_[i]);
        }
        // import_request_variables('GPC') (PHP 4): register_globals on demand, every
        // variable may come from the request, as after extract($_REQUEST).
        if (t_[i].type == Tok::kWord && Lower(t_[i].text) == "import_request_variables" &&
            IsOp(t_[i + 1], "("))
          extract_.insert(scope_[i]);
        // extract($_POST): every variable may come from the request.
        // (parse_str with a result array creates no variables.)
        if (t_[i].type == Tok::kWord && In(Lower(t_[i].text), {"extract", "parse_str"}) &&
            IsOp(t_[i + 1], "(") && RangeTainted(i + 2, Close(i + 1)) &&
            !(Lower(t_[i].text) == "parse_str" && ExprEnd(i + 2, true) < Close(i + 1)))
          extract_.insert(scope_[i]);
      }
      // $data[$k] = $_POST[$k]; $list[] = $v: the array holds request input. With a literal
      // key ($c['id'] = $_GET['id']) only that element does: $c['callback'] stays the code's.
      for (size_t i = 0; i + 1 < t_.size(); ++i) {
        if (t_[i].type != Tok::kVar || !IsOp(t_[i + 1], "[") || vars_.count(Key(i))) continue;
        if (size_t value = ElementWrite(i)) {
          size_t end = ExprEnd(value, true);
          if (!ValueTainted(value, end)) continue;
          if (t_[i].text == "$_SESSION") session_tainted_ = true;
          if (i + 3 < t_.size() && t_[i + 2].type == Tok::kString && IsOp(t_[i + 3], "]"))
            elements_.insert(Key(i) + "[" + t_[i + 2].text);
          else
            vars_.insert(Key(i));
        }
      }
      // list($a, $b) = explode('|', $_COOKIE['d'])
      for (const auto& [var, value] : destructured_)
        if (ValueTainted(value, ExprEnd(value, true))) vars_.insert(Key(var));
      for (const auto& [outer, inner] : captures_)
        if (vars_.count(outer)) vars_.insert(inner);
      if (vars_.size() + elements_.size() + extract_.size() + session_tainted_ == before) break;
    }
  }

  bool extract(size_t i) const { return extract_.count(scope_[i]) > 0; }
  bool DecodedTableVar(size_t i) const {
    return t_[i].type == Tok::kVar && decoded_table_.count(Key(i)) > 0;
  }

  bool DecodedTable(size_t a, size_t b) const {
    if (a >= b || a >= t_.size()) return false;
    bool literal = IsOp(t_[a], "[") || (t_[a].type == Tok::kWord && Lower(t_[a].text) == "array");
    bool split = t_[a].type == Tok::kWord && In(Lower(t_[a].text), {"explode", "str_split"});
    if (!literal && !split) return false;
    for (size_t i = a; i < b && i < t_.size(); ++i)
      if (t_[i].type == Tok::kString && !t_[i].decoded_by.empty() && t_[i].decoded_by != "xor" &&
          i + 1 < t_.size() &&
          (split || IsOp(t_[i + 1], ",") || IsOp(t_[i + 1], ")") || IsOp(t_[i + 1], "]")))
        return true;
    return false;
  }

  // For `$a[..][..] = v` at `i` (a variable followed by '['): the index of v, else 0.
  size_t ElementWrite(size_t i) const {
    size_t j = i + 1;
    for (int n = 0; j < t_.size() && IsOp(t_[j], "[") && n < 8; ++n) j = ExprEnd(j + 1, false) + 1;
    if (j + 1 < t_.size() && IsAssignOp(t_[j])) return j + 1;
    return 0;
  }

  // register_globals: a variable of the file's top level that nothing in the file sets, in
  // a file that includes nothing and makes no variables dynamically. PHP filled such
  // variables from the request until 5.4, and tools of that era still run on old servers.
  bool Undefined(size_t i) const {
    const Token& k = t_[i];
    if (dynamic_vars_ || k.type != Tok::kVar || scope_[i] != 0 || k.text.size() < 2) return false;
    if (k.text.rfind("$_", 0) == 0 || k.text.rfind("$HTTP_", 0) == 0 ||
        In(k.text,
           {"$this", "$GLOBALS", "$argv", "$argc", "$php_errormsg", "$http_response_header"}))
      return false;
    return !assigned_.count(Key(i));
  }
  // Request parameter names a page sends: name=x in forms, ?x= and &x= in links.
  void CollectParameters(std::string_view s) {
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t p = 0; p + 2 < s.size() && page_parameters_.size() < 4096; ++p) {
      size_t start;
      if ((s[p] == '?' || s[p] == '&') && word(s[p + 1])) {
        start = p + 1;
      } else if ((s[p] == 'n' || s[p] == 'N') && p + 5 < s.size() &&
                 Lower(s.substr(p, 5)) == "name=" && (p == 0 || !word(s[p - 1]))) {
        start = p + 5;
        while (start < s.size() && (s[start] == '"' || s[start] == '\'' || s[start] == '\\'))
          ++start;
      } else {
        continue;
      }
      size_t e = start;
      while (e < s.size() && word(s[e]) && e - start < 64) ++e;
      if (e == start) continue;
      if (s[p] == '?' || s[p] == '&') {
        if (e >= s.size() || s[e] != '=') continue;
      }
      page_parameters_.insert(std::string(s.substr(start, e - start)));
      p = e - 1;
    }
  }

  // The first undefined variable in [a, b), or empty.
  std::string RangeUndefined(size_t a, size_t b) const {
    for (size_t i = a; i < b && i < t_.size(); ++i)
      if (Undefined(i) && !(i + 1 < t_.size() && IsOp(t_[i + 1], "->"))) return t_[i].text;
    return {};
  }

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
      // Anything else may sanitise what it is given; a call that ends before the name
      // (realpath($dir) . '/' . $name) leaves the name as the client sent it.
      if (k.type == Tok::kWord && i + 1 < b && IsOp(t_[i + 1], "(") &&
          !In(Lower(k.text), {"basename", "trim", "strtolower", "stripslashes"})) {
        i = Close(i + 1);
        continue;
      }
      if (k.type == Tok::kVar && (k.text == "$_FILES" || upload_entries_.count(Key(i))))
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
      // http_get('http://...'): the file's own fetcher called on a URL.
      if (k.type == Tok::kWord && i + 2 < b && IsOp(t_[i + 1], "(") &&
          t_[i + 2].type == Tok::kString && fetcher_functions_.count(Lower(k.text)) &&
          (t_[i + 2].text.rfind("http://", 0) == 0 || t_[i + 2].text.rfind("https://", 0) == 0))
        return true;
    }
    return false;
  }

 private:
  const std::vector<Token>& t_;
  std::set<std::string> decoded_, remote_, client_named_, prefixed_, computed_, direct_;
  std::set<std::string> request_objects_;  // lower-case names of variables holding the request
  std::set<std::string> upload_entries_;   // $u = $_FILES['f']
  std::map<std::string, int> php_code_;
  std::set<std::string> decoder_functions_;
  std::set<std::string> fetcher_functions_;  // user functions that fetch (curl, URL reads)
  std::set<std::string>
      decoded_name_;  // variables holding a literal's decoded value  // user functions that decode
                      // strings byte by byte  // variables holding PHP source (see RangePhpCode)
  struct Param {
    std::string key;
    bool variadic = false;
  };
  // user function -> its definitions' parameters, in order
  std::map<std::string, std::vector<std::vector<Param>>> params_;
  std::map<std::string, size_t> body_size_;  // user function -> tokens of its longest body
  std::vector<std::pair<std::string, std::string>> captures_;  // closure use(): outer -> inner
  std::set<std::string> vars_;
  std::vector<int> scope_;  // function scope of each token (0: file level)
  std::set<int> extract_;   // scopes where extract($_POST) made every variable the request's
  std::set<std::string> assigned_;                       // variables a scope assigns itself
  std::vector<bool> in_loop_;                            // token inside a loop body
  std::vector<std::pair<size_t, size_t>> destructured_;  // list($a) = v: ($a's token, v's start)
  bool dynamic_vars_ = false;  // include, extract, $$name: undefined is not "from the request"
  std::set<std::string> page_parameters_;    // names the page's forms and links send
  std::set<std::string> decoded_table_;      // variables holding arrays of decoded strings
  std::set<std::string> elements_;           // "scope:$var[key": elements set to request input
  bool session_tainted_ = false;             // $_SESSION[..] = request input somewhere
  std::set<std::string> superglobal_names_;  // variables holding '_GET', '_POST', ...
  std::set<std::string> socket_vars_;        // variables holding a connection the code opened
  std::set<std::string> socket_data_;        // variables holding what such a connection sent
  std::set<std::string> request_globals_;    // "$cmd": register_globals variables the page sends
};

}  // namespace tq::webroot::php
