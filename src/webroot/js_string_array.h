// javascript-obfuscator's string array, undone (implementation header: code_fold.cc and its
// tests). The obfuscator (obfuscator.io, the tool most card skimmers are shipped through)
// moves every string literal into one array and replaces each by a call of a decoder:
//   function A(){var s=['..','..'];A=function(){return s;};return A();}   the array
//   function D(i,k){var s=A();return D=function(i,k){i=i-0xbb;var v=s[i];...;return v;},D(i,k);}
//   (function(a,t){var s=a();while(!![]){try{var c=parseInt(D(0xbc))/0x1+..;if(c===t)break;
//     else s['push'](s['shift']());}catch(e){s['push'](s['shift']());}}}(A,0x359df));
//   ... D(0xc0) ... W(0x1,0x2,0xc3) ...      (W: a wrapper, `return D(c- -0x12,a)`)
// The array is rotated at load until a checksum of parseInt()s over decoded entries matches;
// each entry may be base64 with the obfuscator's own alphabet or RC4 under a key the call
// passes. The folds cannot run that loop, so it is re-enacted here: the array, its decoders
// (offset, encoding), their wrappers and aliases are recognised by shape, the rotation is
// found by evaluating the checksum expression (numbers, parseInt, + - * /) for each rotation,
// and every call with constant arguments is replaced by the string it returns. Older
// releases (a `var` array, `while(--n)` rotation by the count passed, '0x0' string indexes)
// and object literals holding strings (`o['KXDiG']`, the control-flow and object-key
// transforms) are read too. Bounded: at most one rotation per array entry, decode work and
// every string made are charged to the fold budget.
#pragma once

#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {

// Rewrites `t` in place; true when a call or a member was replaced by its string.
bool ResolveStringArrays(std::vector<Token>& t, FoldBudget& budget);

}  // namespace tq::webroot
