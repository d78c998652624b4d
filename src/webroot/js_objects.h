// The objects javascript-obfuscator's control-flow-flattening and object-key transforms leave
// (implementation header: js_string_array.cc and its tests). Flattening moves a function's
// literals and operators into an object of its own (`var o={'KXDiG':'input','aBcDe':
// function(a,b){return a<b;}}` ... `o['KXDiG']`, `o.aBcDe(x,y)`), often an object whose
// members are members of the enclosing function's object; the object-key transform builds it
// by assignments (`o={};o['KXDiG']='..'`). Those objects are read here, by JavaScript's scopes,
// and their members and proxy calls replaced by what they stand for.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot::js {

// Function scopes: each token's innermost function, and the names each function declares
// (parameters, var/let/const, inner function names). An obfuscator gives the same short name
// to unrelated variables of sibling functions, so a name is looked up the way JavaScript does.
struct Scopes {
  std::vector<int> of;      // token -> scope (0: the script)
  std::vector<int> parent;  // scope -> enclosing scope (-1 for the script)
  std::vector<std::set<std::string>> names;

  explicit Scopes(const std::vector<Token>& t);
};

// Objects the control-flow and object-key transforms leave: `var o={'KXDiG':'..'}` or
// `o={};o['KXDiG']='..'`, with literals (string parts joined by + are one) and proxy
// functions (`function(a,b){return a<b;}`, `function(f,x){return f(x);}`), and aliases of
// them (`var p=o`). A key written twice with different values, or with anything else, is not
// read; nor is an object written through a computed key or assigned again in its scope.
class ObjectTable {
 public:
  struct Entry {
    bool proxy = false;
    Token value;        // a literal
    bool call = false;  // proxy: f(a, ..) rather than a OP b
    std::string op;
  };

  void Build(const std::vector<Token>& t);
  bool empty() const { return entries_.empty(); }
  // o['k'] or o.k at t[i]: the entry, with `end` at the member's last token.
  const Entry* At(const std::vector<Token>& t, size_t i, size_t& end) const;

 private:
  // t[b, e): a literal, or a proxy function; nullopt for anything else.
  static std::optional<Entry> Value(const std::vector<Token>& t, size_t b, size_t e);

  std::optional<Scopes> scopes_;
  std::map<std::pair<std::string, int>, std::map<std::string, Entry>> entries_;
  std::map<std::pair<std::string, int>, std::pair<std::string, int>> alias_of_;
};

// Members and proxy calls of such objects replaced (o.k -> its literal, o.p(a, b) -> a OP b,
// o.f(g, x) -> g(x)), a level of nesting per round, while the budget lasts; true when changed.
bool ResolveObjects(std::vector<Token>& t, FoldBudget& budget);

}  // namespace tq::webroot::js
