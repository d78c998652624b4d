// Storing a dump file (a live database snapshot) as "db" evidence: through the evidence
// component, so it is content-addressed, read-only, in the signed manifest and the custody
// log like everything `collect` keeps.
#include "evidence/evidence.h"
#include "storedb/storedb.h"

namespace tq::storedb {

Result<EvidenceItem> StoreFileAsEvidence(Case& c, const std::string& path,
                                         std::string_view original_path, std::string_view source,
                                         std::string_view actor) {
  return evidence::AddFileEvidence(c, path, original_path, source, "db", actor);
}

}  // namespace tq::storedb
