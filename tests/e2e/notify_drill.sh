# notify over a drilled case: one letter per affected person naming exactly their
# categories, and obligations for exactly the scope's jurisdictions. Skips (77) until
# `tourniquet drill` and `tourniquet scope` exist, and when a step before notify fails
# (that is those components' test to catch, not this one's).
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
for cmd in drill scope; do
  $T "$cmd" --help >/dev/null 2>&1 || { echo "SKIP: tourniquet $cmd not built yet"; exit 77; }
done
step() { "$@" >step.log 2>&1 || { rc=$?; [ $rc -eq 1 ] && return 0; echo "SKIP: '$*' failed ($rc)"; cat step.log; exit 77; }; }
step $T drill store --seed 7 --scale small
truth=store/truth.json
[ -f "$truth" ] || { echo "SKIP: drill wrote no truth.json"; exit 77; }
read -r url tz disc <<<"$($PY -c 'import json,sys; t=json.load(open(sys.argv[1])); print(t["store_url"], t["timezone"], t["discovered_at"])' "$truth")"
step $T init case --name drill --store-url "$url" --timezone "$tz" --discovered-at "$disc"
[ -d store/logs ] && step $T --case case collect --label logs store/logs
[ -d store/webroot ] && step $T --case case collect --label webroot store/webroot
for f in store/db/*; do [ -e "$f" ] && step $T --case case collect --label db "$f"; done
step $T --case case investigate
step $T --case case scope
n=$(sqlite3 case/case.db "SELECT count(*) FROM scope_person" 2>/dev/null || echo 0)
[ "$n" -gt 0 ] || { echo "SKIP: scope found nobody"; exit 77; }

set +e
$T --case case notify plan --json >plan.json; rc=$?
set -e
[ $rc -le 1 ] || { echo "FAIL: notify plan exit $rc"; exit 1; }
$T --case case notify render --from privacy@example-store.test --no-letter-files --json >render.json
$PY - "$truth" case/case.db plan.json "$TQ_SOURCE_DIR/data/templates/strings.en.txt" <<'PYEOF'
import json, sqlite3, sys
truth = json.load(open(sys.argv[1])); db = sqlite3.connect(sys.argv[2]); plan = json.load(open(sys.argv[3]))
labels = dict(l.split(": ", 1) for l in open(sys.argv[4]).read().splitlines() if l.startswith("category."))
fails = []
people = db.execute("SELECT person_key, email, categories, country, region, language FROM scope_person").fetchall()
outbox = {k: (b, lang) for k, b, lang in db.execute("SELECT person_key, body, language FROM notify_outbox WHERE kind='letter'")}
if len(outbox) != len(people): fails.append("letters %d != people %d" % (len(outbox), len(people)))
for key, email, cats, country, region, lang in people:
    body, got_lang = outbox.get(key, ("", ""))
    if got_lang != "en": continue  # other languages: checked by the unit tests
    for c in json.loads(cats):
        if labels["category." + c] not in body: fails.append("%s: %s not named" % (key, c))
    for lab_key, lab in labels.items():
        if lab_key.split(".", 1)[1] not in json.loads(cats) and lab in body:
            fails.append("%s: %s named but not lost" % (key, lab_key))
# Every affected person in the drill's truth has a letter naming their categories.
truth_emails = {a["email"].lower() for a in truth.get("affected", []) if a.get("email")}
scope_emails = {e.lower() for _, e, *_ in people}
missing = truth_emails - scope_emails
if missing: fails.append("truth people without a letter: %d (e.g. %s)" % (len(missing), sorted(missing)[:3]))
# Obligations cover exactly the scope's jurisdictions.
codes = set()
for _, _, _, country, region, _ in people:
    if country: codes.add(country + "-" + region if region and country in ("US", "CA", "AU") else country)
if set(plan["jurisdictions"]) != codes: fails.append("plan jurisdictions %s != scope %s" % (plan["jurisdictions"], sorted(codes)))
covered = set()
for o in plan["obligations"]:
    covered.update(o["jurisdictions"])  # evaluated, met or not (thresholds, categories)
for c in codes - set(plan["jurisdictions_without_rules"]):
    if c not in covered: fails.append("no duty evaluated for " + c)
if "payment_card" in truth.get("data_categories", []) and not any(o["rule"] == "PCI.acquirer" and o["threshold_met"] for o in plan["obligations"]):
    fails.append("card data but no acquirer duty")
if fails:
    print("FAIL:", *fails[:20], sep="\n  "); sys.exit(1)
print("letters:", len(outbox), "jurisdictions:", sorted(codes))
PYEOF
echo PASS
