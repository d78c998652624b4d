// Background traffic generator for one logged day (internal to drill).
#pragma once

#include <string>
#include <vector>

#include "drill/internal.h"
#include "drill/logformat.h"

namespace tq::drill {

const std::vector<uint8_t>& kConsumerOctetsForTraffic();

class DayTraffic {
 public:
  // Lines in [start, end), about target_lines of them, from a stream of its own.
  DayTraffic(const Store& store, uint64_t seed, int day, UnixMicros start, UnixMicros end,
             uint64_t target_lines);
  // The next background request in time order; false at the end of the day. The views in
  // *p stay valid until the next call.
  bool Next(LineParts* p);

 private:
  struct Session {
    enum Kind { kShopper, kBot, kScanner } kind = kShopper;
    uint32_t ip = 0;
    std::string_view ua;
    int pages = 0;
    int pending_assets = 0;
    UnixMicros page_time = 0;
    std::string referer, last_page, asset_referer;
  };
  void FillMinute();
  int LocalHour(UnixMicros t) const;
  void StartSession(Session* s);
  void ShopperPage(Session* s, LineParts* p);
  void ShopperAsset(Session* s, LineParts* p);
  void BotRequest(Session* s, LineParts* p);
  void ScannerRequest(Session* s, LineParts* p);

  const Store& s_;
  Rng rng_;
  UnixMicros start_, end_, minute_;
  bool magento_;
  double per_minute_ = 1;
  std::vector<UnixMicros> queue_;
  size_t qpos_ = 0;
  std::vector<Session> sessions_;
  std::string uri_, ref_;
  std::string static_version_;
};

}  // namespace tq::drill
