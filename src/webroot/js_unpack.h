// Dean Edwards' packer, undone: `eval(function(p,a,c,k,e,d){...}('payload',a,c,'w0|w1|..'
// .split('|'),0,{}))` replaces each word of the payload by its index in base `a` into the word
// list. The packer is an obfuscator of its own (skimmers and script injectors use it as well as
// minifiers of old), and the folds cannot evaluate its loop, so the payload is rebuilt here the
// way the packed code would at run time: each base-`a` word that indexes a non-empty entry of
// the list is replaced by it. Bounded: the output stops at `max_out` bytes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tq::webroot {

// The unpacked code of the first packed call in `code`, or nullopt when there is none or its
// arguments do not parse (radix outside 2..62, a word list that is not a string literal, ...).
std::optional<std::string> UnpackPacker(std::string_view code, size_t max_out);

}  // namespace tq::webroot
