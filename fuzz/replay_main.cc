// Replays a fuzz target without libFuzzer: every file in the corpus directory, then
// deterministic mutations of each (bit flips, truncations, duplications, random bytes).
// A crash, hang (ctest timeout) or sanitizer report fails the test. An optional second
// argument sets the mutations per input (default 300), for targets whose one input is slow;
// further arguments are more directories of inputs.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {
uint64_t Next(uint64_t& s) {
  s += 0x9E3779B97F4A7C15ull;
  uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
void Feed(const std::string& s) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> inputs = {"", "\n", std::string(1, '\0'), std::string(4096, 'A')};
  // The target's corpus (argv[1]), then any further directories of inputs after the count
  // of mutations (the benchmarks' technique snippets, read where they are kept).
  std::vector<std::string> dirs;
  if (argc > 1) dirs.push_back(argv[1]);
  for (int a = 3; a < argc; ++a) dirs.push_back(argv[a]);
  std::vector<std::filesystem::path> files;
  for (const std::string& d : dirs) {
    if (!std::filesystem::is_directory(d)) continue;
    for (auto& e : std::filesystem::directory_iterator(d))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    inputs.push_back(ss.str());
  }
  int mutations = argc > 2 ? std::atoi(argv[2]) : 300;
  uint64_t seed = 42;
  size_t runs = 0;
  for (const std::string& base : inputs) {
    Feed(base);
    ++runs;
    for (int m = 0; m < mutations; ++m) {
      std::string s = base;
      switch (Next(seed) % 5) {
        case 0:
          if (!s.empty()) s[Next(seed) % s.size()] ^= static_cast<char>(1u << (Next(seed) % 8));
          break;
        case 1: s.resize(s.empty() ? 0 : Next(seed) % s.size()); break;
        case 2:
          if (!s.empty()) s.insert(Next(seed) % s.size(), s.substr(0, Next(seed) % s.size()));
          break;
        case 3:
          for (int k = 0; k < 8 && !s.empty(); ++k)
            s[Next(seed) % s.size()] = static_cast<char>(Next(seed));
          break;
        default:
          s.insert(s.empty() ? 0 : Next(seed) % s.size(), std::string(Next(seed) % 64, '\xff'));
      }
      Feed(s);
      ++runs;
    }
  }
  std::printf("replayed %zu inputs\n", runs);
  return 0;
}
