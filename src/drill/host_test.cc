// The drilled host tree (host.cc): each planted item sits at the file and line the truth
// names, the look-alikes are where they say, the intruder's address is in the cron line, the
// SSH keys are well-formed, and the same seed writes the same bytes and times.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "drill/internal.h"

namespace tq::drill {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

struct Fixture {
  std::string dir = ::testing::TempDir() + "drill_host_" + std::to_string(::getpid());
  Store store;
  Breach breach;
  Fixture(Platform p, uint64_t seed) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    store.spec.platform = p;
    store.spec.host = "www.shop.test";
    store.spec.db_name = "shop";
    store.spec.installed = 1600000000LL * 1000000;
    store.spec.log_start = 1720000000LL * 1000000;
    breach.truth.entry_ip = 0xCB007109;  // 203.0.113.9
    breach.truth.attackers = {{0xCB007109, "intruder"}};
    breach.truth.steps = {{1720100000LL * 1000000, "exploit", "x", 0xCB007109, -1},
                          {1720100600LL * 1000000, "webshell", "y", 0xCB007109, -1}};
    EXPECT_TRUE(WriteHost(dir, seed, store, &breach).ok());
  }
  ~Fixture() { fs::remove_all(dir); }
};

TEST(DrillHost, PlantedItemsAreWhereTheTruthSays) {
  for (Platform p : {Platform::kMagento, Platform::kWooCommerce}) {
    Fixture f(p, 7);
    const Truth& t = f.breach.truth;
    ASSERT_EQ(t.host_persistence.size(), 3u);
    for (const HostItem& h : t.host_persistence) {
      std::vector<std::string> lines = Lines(f.dir + "/" + h.path);
      ASSERT_GE(lines.size(), static_cast<size_t>(h.line)) << h.path;
      const std::string& line = lines[h.line - 1];
      if (h.kind == "cron") {
        EXPECT_NE(line.find("http://203.0.113.9/"), std::string::npos) << line;
        EXPECT_NE(line.find("| sh"), std::string::npos) << line;
      } else if (h.kind == "php_prepend") {
        EXPECT_EQ(line.rfind("php_admin_value[auto_prepend_file] = /var/www/www.shop.test/", 0), 0u)
            << line;
      } else {
        EXPECT_EQ(h.kind, "ssh_key");
        EXPECT_EQ(line.rfind("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", 0), 0u) << line;
      }
      // The file was last written when the intruder planted it, after the foothold.
      struct stat st;
      ASSERT_EQ(::stat((f.dir + "/" + h.path).c_str(), &st), 0);
      EXPECT_EQ(st.st_mtime, h.t / 1000000) << h.path;
      EXPECT_GT(h.t, t.steps[1].t);
    }
    EXPECT_GE(t.benign_host.size(), 5u);
    for (const HostItem& b : t.benign_host)
      EXPECT_GE(Lines(f.dir + "/" + b.path).size(), static_cast<size_t>(b.line)) << b.path;
    // The operator's key is the one the responders know, not the intruder's.
    std::vector<std::string> known = Lines(f.dir + "/known_keys.pub");
    std::vector<std::string> keys = Lines(f.dir + "/host/var/www/.ssh/authorized_keys");
    ASSERT_EQ(known.size(), 1u);
    ASSERT_EQ(keys.size(), 2u);
    EXPECT_EQ(known[0], keys[0]);
    EXPECT_NE(known[0], keys[1]);
  }
}

TEST(DrillHost, SameSeedSameTreeOtherSeedOtherKeys) {
  auto snapshot = [](const std::string& root) {
    std::ostringstream out;
    std::vector<std::string> files;
    for (auto& e : fs::recursive_directory_iterator(root)) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (const std::string& p : files) {
      struct stat st;
      ::stat(p.c_str(), &st);
      out << p.substr(root.size()) << " " << st.st_mtime << "\n";
      if (fs::is_regular_file(p)) {
        std::ifstream in(p);
        out << in.rdbuf();
      }
    }
    return out.str();
  };
  std::string a, b, c;
  {
    Fixture f(Platform::kMagento, 7);
    a = snapshot(f.dir);
  }
  {
    Fixture f(Platform::kMagento, 7);
    b = snapshot(f.dir);
  }
  {
    Fixture f(Platform::kMagento, 8);
    c = snapshot(f.dir);
  }
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

}  // namespace
}  // namespace tq::drill
