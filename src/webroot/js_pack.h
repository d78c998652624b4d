// Code run through the Function constructor with an object of the caller's globals (see
// js_pack.cc; implementation header, used by code_fold.cc): `Function('o', 'code')(obj)` where
// obj is an object literal whose members only hand back globals (`get k(){return fetch}`,
// `set k(v){return fetch=v}`, `get t(){return typeof fetch}`, `k: fetch`). Inside the code,
// `o['k']` and `o.k` are then those globals: the code string is rewritten with their names, so
// that its layer reads `fetch(...)` as the script would run it. A packer hides every global a
// script touches this way, which no string decoding undoes.
#pragma once

#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {

// Rewrites each such code literal in place (its text re-rendered, `decoded_by` naming the
// step); true when any was. Bounded by `budget.bytes_left` for the text made.
bool FoldPackedGlobals(std::vector<Token>& tokens, FoldBudget& budget);

}  // namespace tq::webroot
