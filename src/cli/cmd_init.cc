// tourniquet init DIR: open a case.
#include "cli/case_access.h"
#include "core/escape.h"
#include "core/json.h"
#include "notify/delivery.h"

namespace tq::cli {
namespace {

struct InitOptions {
  std::string dir;
  CaseInfo info;
  std::string discovered;
  notify::ControllerDetails controller;  // who writes the letters (stored for notify)
};

Runner SetupInit(CLI::App& app, Globals& g) {
  auto o = std::make_shared<InitOptions>();
  app.add_option("DIR", o->dir, "New (or empty) directory for the case")->required();
  app.add_option("--name", o->info.name, "Case name, e.g. \"shop.example checkout skimmer\"")
      ->required();
  app.add_option("--store-url", o->info.store_url, "The store's public URL");
  app.add_option("--platform", o->info.platform, "Store platform")
      ->check(
          CLI::IsMember({"magento", "woocommerce", "prestashop", "shopware", "opencart", "other"}));
  app.add_option("--timezone", o->info.timezone,
                 "IANA time zone of the store's logs, e.g. Europe/Berlin (default UTC)");
  app.add_option("--discovered-at", o->discovered,
                 "When the breach became known (ISO 8601; default now): deadlines count from it");
  app.add_option("--legal-name", o->controller.legal_name,
                 "The controller's legal name, as letters sign (GDPR letters require it)");
  app.add_option("--postal-address", o->controller.postal_address,
                 "The controller's postal address (return address of printed letters)");
  app.add_option("--dpo", o->controller.dpo,
                 "Data protection officer or privacy contact (GDPR letters require it)");
  app.add_option("--phone", o->controller.phone,
                 "A toll-free number for questions (Puerto Rico letters require it)");
  app.add_option("--website", o->controller.website,
                 "A web page about the incident (Puerto Rico letters require it)");
  app.add_option("--eu-establishment", o->controller.eu_establishment,
                 "eea: an establishment in the EU/EEA; none: GDPR notices go to each authority "
                 "where affected people live");
  app.footer(
      "Example: tourniquet init case --name 'checkout skimmer' --platform magento "
      "--store-url https://shop.example --timezone Europe/Berlin");
  return [o, &g]() -> int {
    TimeZone zone = TimeZone::Utc();
    if (!o->info.timezone.empty()) {
      Result<TimeZone> z = TimeZone::Named(o->info.timezone);
      if (!z.ok()) return Fail(z.status());
      zone = *z;
    }
    if (!o->discovered.empty()) {
      Result<UnixMicros> t = ParseIso8601(o->discovered, zone);
      if (!t.ok()) return Fail(Status::Usage("--discovered-at: " + t.status().message()));
      o->info.discovered_at = *t;
    } else {
      o->info.discovered_at = NowMicros();
    }
    const std::string& eu = o->controller.eu_establishment;
    if (!eu.empty() && eu != "eea" && eu != "none")
      return Fail(Status::Usage("--eu-establishment: expected eea or none"));
    Result<std::unique_ptr<Case>> c = Case::Create(o->dir, o->info);
    if (!c.ok()) return Fail(c.status());
    Status details = notify::EnsureNotifySchema(**c);
    if (details.ok())
      details = (*c)->Transaction(
          [&](Db& db) { return notify::StoreController(db, o->controller, NowMicros()); });
    if (!details.ok()) return Fail(details);
    AuditOutcome(**c, g, "init", Status::Ok(), "created case " + o->info.name);
    if (g.json) {
      JsonWriter w(true);
      w.BeginObject().Field("case", o->dir).Field("name", o->info.name);
      w.Field("schema_version", CaseSchemaVersion()).EndObject();
      PrintOut(w.str() + "\n");
    } else {
      PrintOut("Case created in " + EscapeTerminal(o->dir) + "\nNext: tourniquet --case " +
               EscapeTerminal(o->dir) + " collect --label logs /var/log/nginx\n");
    }
    return kExitOk;
  };
}

}  // namespace
TQ_COMMAND("init", "Open a case: a directory with the case file, evidence and reports", 10,
           SetupInit);
}  // namespace tq::cli
