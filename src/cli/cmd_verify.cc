// tourniquet verify: prove the evidence is as collected (objects, signatures, chain).
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "evidence/evidence.h"

namespace tq::cli {
namespace {

Runner SetupVerify(CLI::App& app, Globals& g) {
  auto o = std::make_shared<evidence::VerifyOptions>();
  app.add_option("--pubkey", o->expect_public_key,
                 "The manifest public key written down after collect (hex)");
  app.add_option("--fingerprint", o->expect_head,
                 "A manifest fingerprint written down earlier: must still be in the chain");
  app.add_option("--threads", o->threads, "Hashing threads (default: one per core)");
  app.footer("Exit: 0 everything matches; 7 tampering found (each problem listed).");
  return [o, &g]() -> int {
    Result<std::unique_ptr<Case>> c = OpenCaseForCommand(g);
    bool read_only = false;
    if (!c.ok() && c.status().code() == ErrorCode::kCase) {
      // A read-only copy of a case can still be verified (without a custody record).
      Result<std::unique_ptr<Case>> ro = OpenCaseForCommand(g, /*read_only=*/true);
      if (ro.ok()) {
        c = std::move(ro);
        read_only = true;
      }
    }
    if (!c.ok()) return Fail(c.status());
    o->actor = Actor(g);
    o->record_custody = !read_only;
    Result<evidence::VerifyReport> r = evidence::Verify(**c, *o);
    if (!read_only) {
      std::string detail =
          r.ok() ? (r->ok() ? "ok" : std::to_string(r->problems.size()) + " problems") : "";
      AuditOutcome(**c, g, "verify", r.status(), detail);
    }
    if (!r.ok()) return Fail(r.status());
    const evidence::VerifyReport& v = *r;
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("ok", v.ok()).Field("manifest_lines", v.lines);
      w.Field("items", v.items).Field("custody_records", v.custody_records);
      w.Field("objects", v.objects).Field("bytes", v.bytes);
      w.Field("public_key", v.public_key_hex).Field("manifest_head", v.manifest_head);
      w.Key("problems").BeginArray();
      for (auto& p : v.problems)
        w.BeginObject()
            .Field("kind", evidence::TamperKindName(p.kind))
            .Field("line", p.line)
            .Field("message", p.message)
            .EndObject();
      w.EndArray().EndObject();
      PrintOut(w.str() + "\n");
    } else {
      std::string out;
      for (auto& p : v.problems)
        out += "TAMPERED [" + std::string(evidence::TamperKindName(p.kind)) + "] " +
               EscapeTerminal(p.message) + "\n";
      out += std::string(v.ok() ? "OK" : "FAILED") + ": " + std::to_string(v.objects) +
             " objects re-hashed (" + std::to_string(v.bytes) + " bytes), " +
             std::to_string(v.lines) + " manifest lines (" + std::to_string(v.items) + " items, " +
             std::to_string(v.custody_records) + " custody records) checked";
      if (!v.ok()) out += "; " + std::to_string(v.problems.size()) + " problems";
      out += "\nManifest public key:  " + v.public_key_hex +
             "\nManifest fingerprint: " + v.manifest_head + "\n";
      PrintOut(out);
    }
    return v.ok() ? kExitOk : kExitIntegrity;
  };
}

}  // namespace
TQ_COMMAND("verify", "Prove the evidence is untouched: re-hash objects, check signatures", 21,
           SetupVerify);
}  // namespace tq::cli
