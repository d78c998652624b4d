// libyara glue: compile (with a per-file check so one broken user file does not sink the
// pack), an on-disk cache of compiled rules keyed by the sources' hash, and buffer scans.
#include "webroot/yara_scan.h"

#include <unistd.h>
#include <yara.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/sha256.h"

namespace tq::webroot {
namespace {

constexpr size_t kMaxHitsPerRule = 16;

bool YaraReady() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = yr_initialize() == ERROR_SUCCESS; });
  return ok;
}

const char* const kExternals[] = {"filename", "filepath", "extension", "filetype", "owner"};

struct CompileErrors {
  std::vector<std::string> messages;
};

void OnCompileMessage(int level, const char* file, int line, const YR_RULE*, const char* message,
                      void* user) {
  if (level != YARA_ERROR_LEVEL_ERROR) return;
  auto* errors = static_cast<CompileErrors*>(user);
  std::string where = file ? file : "";
  errors->messages.push_back(where + ":" + std::to_string(line) + ": " + (message ? message : ""));
}

// Adds one rule file to `compiler`; returns the compile errors (empty when fine).
std::vector<std::string> AddFile(YR_COMPILER* compiler, const std::string& path,
                                 const std::string& ns) {
  CompileErrors errors;
  yr_compiler_set_callback(compiler, OnCompileMessage, &errors);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return {path + ": " + std::strerror(errno)};
  yr_compiler_add_file(compiler, f, ns.c_str(), path.c_str());
  std::fclose(f);
  return errors.messages;
}

YR_COMPILER* NewCompiler() {
  YR_COMPILER* c = nullptr;
  if (yr_compiler_create(&c) != ERROR_SUCCESS) return nullptr;
  for (const char* name : kExternals) yr_compiler_define_string_variable(c, name, "");
  return c;
}

std::string Namespace(const std::string& path, std::vector<std::string>& used) {
  std::string stem = std::filesystem::path(path).stem().string();
  std::string ns = stem;
  for (int i = 2; std::find(used.begin(), used.end(), ns) != used.end(); ++i)
    ns = stem + "_" + std::to_string(i);
  used.push_back(ns);
  return ns;
}

}  // namespace

std::vector<std::string> ListRuleFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) return {dir};
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec),
       end;
       !ec && it != end; it.increment(ec)) {
    std::string ext = it->path().extension().string();
    if (it->is_regular_file(ec) && (ext == ".yar" || ext == ".yara")) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<YaraRules::Load> YaraRules::Compile(const std::vector<std::string>& files,
                                           const std::string& cache_dir) {
  if (!YaraReady()) return Status::Internal("libyara failed to initialise");
  Load load;
  load.files = files.size();
  // Key: the library version and every file's name and content.
  Sha256 h;
  h.Update(YR_VERSION);
  std::vector<std::string> readable;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      load.errors.push_back(Status::FromErrno(f, errno));
      continue;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    h.Update(std::filesystem::path(f).filename().string());
    h.Update("\0", 1);
    h.Update(ss.str());
    h.Update("\0", 1);
    readable.push_back(f);
  }
  std::unique_ptr<YaraRules> rules(new YaraRules());
  rules->key_ = ToHex(h.Finish());
  std::string cache_file =
      cache_dir.empty() ? "" : cache_dir + "/yara-" + rules->key_.substr(0, 32) + ".yarc";
  if (!cache_file.empty()) {
    YR_RULES* loaded = nullptr;
    std::error_code ec;
    if (std::filesystem::exists(cache_file, ec) &&
        yr_rules_load(cache_file.c_str(), &loaded) == ERROR_SUCCESS) {
      rules->rules_ = loaded;
      load.rules = std::move(rules);
      load.from_cache = true;
      return load;
    }
  }
  // Check each file alone first: libyara's compiler cannot continue after an error.
  std::vector<std::string> good;
  std::vector<std::string> used_ns, check_ns;
  for (const std::string& f : readable) {
    YR_COMPILER* probe = NewCompiler();
    if (!probe) return Status::Internal("cannot create a YARA compiler");
    std::vector<std::string> errs = AddFile(probe, f, Namespace(f, check_ns));
    yr_compiler_destroy(probe);
    if (errs.empty()) {
      good.push_back(f);
    } else {
      for (const std::string& e : errs) load.errors.push_back(Status::BadInput(e));
    }
  }
  YR_COMPILER* compiler = NewCompiler();
  if (!compiler) return Status::Internal("cannot create a YARA compiler");
  for (const std::string& f : good) {
    std::vector<std::string> errs = AddFile(compiler, f, Namespace(f, used_ns));
    if (!errs.empty()) {
      yr_compiler_destroy(compiler);
      return Status::BadInput(errs.front());
    }
  }
  YR_RULES* compiled = nullptr;
  int rc = yr_compiler_get_rules(compiler, &compiled);
  yr_compiler_destroy(compiler);
  if (rc != ERROR_SUCCESS)
    return Status::Internal("YARA could not build the rules, error " + std::to_string(rc));
  rules->rules_ = compiled;
  if (!cache_file.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cache_dir, ec);
    std::string tmp = cache_file + ".tmp" + std::to_string(::getpid());
    if (yr_rules_save(compiled, tmp.c_str()) == ERROR_SUCCESS)
      std::filesystem::rename(tmp, cache_file, ec);
    else
      std::filesystem::remove(tmp, ec);
  }
  load.rules = std::move(rules);
  return load;
}

YaraRules::~YaraRules() {
  if (rules_) yr_rules_destroy(static_cast<YR_RULES*>(rules_));
}

size_t YaraRules::rule_count() const {
  size_t n = 0;
  YR_RULE* rule;
  yr_rules_foreach(static_cast<YR_RULES*>(rules_), rule) {
    if (RULE_IS_PRIVATE(rule)) continue;
    bool internal = false;
    YR_META* meta;
    yr_rule_metas_foreach(rule, meta) {
      if (meta->identifier && std::strcmp(meta->identifier, "internal") == 0) internal = true;
    }
    if (!internal) ++n;
  }
  return n;
}

bool YaraRules::HasRule(std::string_view name) const {
  YR_RULE* rule;
  yr_rules_foreach(static_cast<YR_RULES*>(rules_), rule) {
    if (rule->identifier && name == rule->identifier) return true;
  }
  return false;
}

namespace {

int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  auto* out = static_cast<std::vector<YaraMatch>*>(user);
  auto* rule = static_cast<YR_RULE*>(data);
  YaraMatch m;
  m.rule = rule->identifier;
  m.rule_namespace = rule->ns && rule->ns->name ? rule->ns->name : "";
  const char* tag;
  yr_rule_tags_foreach(rule, tag) { m.tags.emplace_back(tag); }
  YR_META* meta;
  yr_rule_metas_foreach(rule, meta) {
    if (meta->type == META_TYPE_STRING)
      m.meta[meta->identifier] = meta->string ? meta->string : "";
    else if (meta->type == META_TYPE_INTEGER)
      m.meta[meta->identifier] = std::to_string(meta->integer);
    else
      m.meta[meta->identifier] = meta->integer ? "true" : "false";
  }
  YR_STRING* string;
  yr_rule_strings_foreach(rule, string) {
    YR_MATCH* match;
    size_t per_string = 0;
    yr_string_matches_foreach(context, string, match) {
      if (++per_string > kMaxHitsPerRule) break;
      m.hits.push_back({string->identifier ? string->identifier : "",
                        static_cast<uint64_t>(match->base + match->offset),
                        static_cast<uint32_t>(match->match_length)});
    }
  }
  std::sort(m.hits.begin(), m.hits.end(),
            [](const YaraStringHit& a, const YaraStringHit& b) { return a.offset < b.offset; });
  if (m.hits.size() > kMaxHitsPerRule) m.hits.resize(kMaxHitsPerRule);
  out->push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

Result<std::unique_ptr<YaraScanner>> YaraScanner::Create(const YaraRules& rules,
                                                         int timeout_seconds) {
  std::unique_ptr<YaraScanner> s(new YaraScanner());
  YR_SCANNER* raw = nullptr;
  if (yr_scanner_create(static_cast<YR_RULES*>(rules.rules_), &raw) != ERROR_SUCCESS)
    return Status::Internal("cannot create a YARA scanner");
  s->scanner_ = raw;
  yr_scanner_set_timeout(raw, timeout_seconds);
  return s;
}

YaraScanner::~YaraScanner() {
  if (scanner_) yr_scanner_destroy(static_cast<YR_SCANNER*>(scanner_));
}

Result<std::vector<YaraMatch>> YaraScanner::Scan(std::string_view data, const YaraFileVars& vars) {
  auto* s = static_cast<YR_SCANNER*>(scanner_);
  const std::string* values[] = {&vars.filename, &vars.filepath, &vars.extension, &vars.filetype,
                                 &vars.owner};
  for (size_t i = 0; i < 5; ++i) {
    // Values with a NUL would be cut; attacker file names cannot smuggle one anyway.
    yr_scanner_define_string_variable(s, kExternals[i], values[i]->c_str());
  }
  std::vector<YaraMatch> matches;
  yr_scanner_set_callback(s, OnScanMessage, &matches);
  int rc = yr_scanner_scan_mem(s, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  if (rc == ERROR_SCAN_TIMEOUT)
    return Status::BadInput("YARA scan timed out (" + std::to_string(matches.size()) +
                            " rules matched before the limit)");
  if (rc != ERROR_SUCCESS && rc != ERROR_TOO_MANY_MATCHES)
    return Status::BadInput("YARA scan failed, error " + std::to_string(rc));
  return matches;
}

}  // namespace tq::webroot
