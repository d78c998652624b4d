// YARA through libyara: our pack and a user's own rule files compiled together (each file in
// its own namespace, so rule names never clash), cached on disk by the hash of every rule
// file, and scanned over in-memory buffers by any number of threads (one scanner each),
// with a time limit per file. yara.h stays in yara_scan.cc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tq::webroot {

struct YaraStringHit {
  std::string identifier;  // "$a"
  uint64_t offset = 0;
  uint32_t length = 0;
};

struct YaraMatch {
  std::string rule;
  std::string rule_namespace;  // the rule file's stem
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;  // string and integer metadata, as text
  std::vector<YaraStringHit> hits;          // first hits, by offset (bounded)
};

// The external variables every rule may use (as in the `yara -d` convention of public rule
// sets): filename, filepath, extension, filetype, owner.
struct YaraFileVars {
  std::string filename, filepath, extension, filetype, owner;
};

class YaraRules {
 public:
  struct Load {
    std::unique_ptr<YaraRules> rules;
    std::vector<Status> errors;  // rule files that did not compile (left out, reported)
    bool from_cache = false;
    size_t files = 0;
  };
  // Compiles the rule files (each given as a path). With a cache_dir, compiled rules are saved
  // there as yara-<sha256 of the sources>.yarc and loaded instead of compiling next time.
  static Result<Load> Compile(const std::vector<std::string>& files, const std::string& cache_dir);
  ~YaraRules();
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;
  size_t rule_count() const;
  // True when a rule of this name is in the set (internal rules such as the normalise
  // trigger are looked up this way).
  bool HasRule(std::string_view name) const;
  std::string cache_key() const { return key_; }

 private:
  friend class YaraScanner;
  YaraRules() = default;
  void* rules_ = nullptr;  // YR_RULES*
  std::string key_;
};

// One per thread.
class YaraScanner {
 public:
  static Result<std::unique_ptr<YaraScanner>> Create(const YaraRules& rules, int timeout_seconds);
  ~YaraScanner();
  // Scans one buffer. A timeout or a YARA error is a Status (the file is reported, not lost).
  Result<std::vector<YaraMatch>> Scan(std::string_view data, const YaraFileVars& vars);

 private:
  YaraScanner() = default;
  void* scanner_ = nullptr;  // YR_SCANNER*
};

// Every *.yar / *.yara file under `dir`, recursively, sorted.
std::vector<std::string> ListRuleFiles(const std::string& dir);

}  // namespace tq::webroot
