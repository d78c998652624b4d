// Character codes kept XOR-ed with a key, undone (implementation header: normalize.cc and its
// tests). A skimmer keeps its code or its collection host as numbers, or as a string of odd
// characters, and rebuilds it at run time with String.fromCharCode(a[i] ^ k) or
// s.charCodeAt(i) ^ key.charCodeAt(i % key.length). The folds cannot run that loop, so every
// candidate is tried: number arrays and string literals the code reads with charCodeAt,
// against the keys the code XORs with (numbers beside `^`, names holding a number, strings it
// reads with charCodeAt). A decoding is kept only when it reads as code or holds an address:
// a table of numbers that is no text (a CRC or a font's widths) decodes to noise and is
// dropped. Bounded: at most 32 candidates and 16 keys, and `max_out` bytes of output.
// Code is a layer of its own; an address or other text replaces the array or literal it came
// from (as a string decoded by "xor"), so the code around it reads it where it is used.
#pragma once

#include <string>
#include <vector>

#include "webroot/code_lexer.h"

namespace tq::webroot {

struct XorDecoded {
  size_t begin = 0, end = 0;  // the tokens of the array or literal: [begin, end]
  std::string text;
  bool code = false;  // reads as code (else an address in text)
};

// In token order.
std::vector<XorDecoded> DecodeXorCharCodes(const std::vector<Token>& t, size_t max_out);

}  // namespace tq::webroot
