// Implementation header (behaviour.cc and php_facts.cc only): facts about one PHP layer as
// a whole that the behaviour pass looks up by name while it walks the tokens: the file's own
// functions and which parameters they call, variables holding a reflected execution sink,
// image metadata or what a function called through a variable returned. Each is one linear
// pass over the tokens.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "webroot/code_lexer.h"
#include "webroot/php_taint.h"

namespace tq::webroot::php {

// A function the file defines: its parameters in order, and the positions of those its body
// calls ($p(...), or as the callback of call_user_func* / array_map).
struct OwnFunction {
  std::vector<std::string> params;
  std::set<size_t> called;
};

struct FileFacts {
  std::map<std::string, std::string> reflected_sinks;  // $r -> 'system' (ReflectionFunction)
  std::map<std::string, OwnFunction> own;              // lower-case name -> function
  std::set<std::string> image_metadata;                // $m = exif_read_data(...)
  std::set<std::string> variable_call_results;         // $c = $f(...)
};

FileFacts CollectFileFacts(const std::vector<Token>& t, const PhpTaint& taint);

// Files overwritten with an encrypted copy of themselves (web ransomware): a trait when seen.
void AnalyzeRansomware(const std::vector<Token>& t, const PhpTaint& taint, const std::string& layer,
                       std::vector<CodeTrait>& out);

}  // namespace tq::webroot::php
