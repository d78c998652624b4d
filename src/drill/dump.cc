// OUT/db/store.sql (the whole store database at discovery), OUT/backup/store-before.sql (the
// nightly backup from the day before the attack) and, when the scenario leaks one, the
// attacker's gzip'd copy of selected tables as they were at the time of the dump.
#include "drill/dump.h"

#include <algorithm>

namespace tq::drill {

namespace {

Status WriteOne(const std::string& path, const Store& s, const Breach& b, UnixMicros cutoff,
                UnixMicros now, uint64_t seed, const std::vector<std::string>* only,
                uint64_t* payload_pk, DumpWriter** keep) {
  const std::string platform = s.spec.platform == Platform::kMagento ? "magento" : "woocommerce";
  std::vector<const TableDef*> tables;
  for (const TableDef& t : SchemaTables()) {
    if (platform != t.platform) continue;
    if (only && std::find(only->begin(), only->end(), t.name) == only->end()) continue;
    tables.push_back(&t);
  }
  // mysqldump writes tables in name order.
  std::sort(tables.begin(), tables.end(), [](const TableDef* a, const TableDef* b) {
    return std::string_view(a->name) < std::string_view(b->name);
  });
  auto* w = new DumpWriter(path, s.spec.db_name, now);
  *keep = w;
  TQ_RETURN_IF_ERROR(w->Open());
  DumpContext c{&s, &b, cutoff, now, seed, payload_pk};
  for (const TableDef* t : tables) {
    TQ_RETURN_IF_ERROR(s.spec.platform == Platform::kMagento ? EmitMagentoTable(*w, t, c)
                                                             : EmitWooTable(*w, t, c));
  }
  return w->Close();
}

}  // namespace

Status WriteDump(const std::string& out_dir, uint64_t seed, const Store& s, Breach* b,
                 uint64_t* bytes) {
  TQ_RETURN_IF_ERROR(MakeDirs(out_dir + "/db"));
  const std::string path = out_dir + "/db/store.sql";
  uint64_t payload_pk = 0;
  DumpWriter* w = nullptr;
  Status st = WriteOne(path, s, *b, INT64_MAX, s.spec.log_end, seed, nullptr, &payload_pk, &w);
  std::unique_ptr<DumpWriter> own(w);
  TQ_RETURN_IF_ERROR(st);
  *bytes = w->bytes();
  b->truth.row_counts = w->row_counts();
  std::vector<DbInjection> copies;
  for (auto& inj : b->truth.db_injections) {
    if (inj.table == "sales_order_address" && inj.kind == "exploit_payload" && payload_pk) {
      inj.pk = payload_pk;
      // The attacker typed the payload as the name: it is in the billing address and the
      // order's customer_firstname as well as the shipping address.
      copies.push_back({"sales_order_address", "entity_id", payload_pk - 1, "firstname",
                        "exploit_payload", inj.t});
      copies.push_back({"sales_order", "entity_id", payload_pk / 2, "customer_firstname",
                        "exploit_payload", inj.t});
    }
  }
  for (DbInjection& c : copies) b->truth.db_injections.push_back(std::move(c));
  TQ_RETURN_IF_ERROR(SetMtime(path, s.spec.log_end + 25LL * 60 * 1000000));
  {
    // The nightly backup from the day before the first attack step: the same store on the
    // platform's real schema with none of the attacker's rows (OUT/backup, not OUT/db, so
    // collecting OUT/db takes the dump at discovery only).
    UnixMicros first = b->truth.entry_time;
    for (const TruthStep& st : b->truth.steps)
      if (st.t && (!first || st.t < first)) first = st.t;
    UnixMicros at = (first ? first : s.spec.log_end) - 24LL * 3600 * 1000000;
    TQ_RETURN_IF_ERROR(MakeDirs(out_dir + "/backup"));
    const std::string before = out_dir + "/backup/store-before.sql";
    DumpWriter* bw = nullptr;
    uint64_t unused_pk = 0;
    Status bs = WriteOne(before, s, *b, at, at, seed, nullptr, &unused_pk, &bw);
    std::unique_ptr<DumpWriter> bown(bw);
    TQ_RETURN_IF_ERROR(bs);
    TQ_RETURN_IF_ERROR(SetMtime(before, at));
    TQ_RETURN_IF_ERROR(SetMtime(out_dir + "/backup", at));
  }
  if (!b->leak_path.empty()) {
    // The attacker's copy: the listed tables as of the dump time, then gzip'd.
    const std::string tmp = out_dir + "/db/.leak.sql";
    DumpWriter* lw = nullptr;
    Status ls =
        WriteOne(tmp, s, *b, b->leak_time, b->leak_time, seed, &b->leak_tables, &payload_pk, &lw);
    std::unique_ptr<DumpWriter> lown(lw);
    TQ_RETURN_IF_ERROR(ls);
    FILE* f = std::fopen(tmp.c_str(), "rb");
    if (!f) return Status::FromErrno(tmp, errno);
    std::string text;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    std::remove(tmp.c_str());
    b->leak_gz = GzipBytes(text);
  }
  return Status::Ok();
}

}  // namespace tq::drill
