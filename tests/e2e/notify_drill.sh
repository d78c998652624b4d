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
step $T init case --name drill --store-url "$url" --timezone "$tz" --discovered-at "$disc" \
  --legal-name "Example Store Ltd" --dpo "dpo@example-store.test" --phone 1-800-555-0100 \
  --website https://example-store.test/incident --postal-address "1 Store Street, Example City"
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
$PY - "$truth" case/case.db plan.json "$TQ_SOURCE_DIR/data/templates" <<'PYEOF'
import glob, json, os, sqlite3, sys
truth = json.load(open(sys.argv[1])); db = sqlite3.connect(sys.argv[2]); plan = json.load(open(sys.argv[3]))
templates = sys.argv[4]
def load_labels(lang):
    path = os.path.join(templates, "strings.%s.txt" % lang)
    return dict(l.split(": ", 1) for l in open(path, encoding="utf-8").read().splitlines() if l.startswith("category."))
# The languages with a letter template (letter.<lang>.txt; law layouts have an '@').
shipped = {os.path.basename(f)[7:-4] for f in glob.glob(os.path.join(templates, "letter.*.txt")) if "@" not in f}
labels = {lang: load_labels(lang) for lang in shipped}
# The languages of the drill's readers (issue 28): each has its template.
for lang in ("en", "de", "fr", "es", "it", "nl", "pl", "pt", "sv", "da", "nb", "fi", "cs", "tr", "ja"):
    if lang not in shipped: print("FAIL: no letter.%s.txt" % lang); sys.exit(1)
fails = []
people = db.execute("SELECT person_key, email, categories, country, region, language FROM scope_person").fetchall()
outbox = {k: (b, lang) for k, b, lang in db.execute("SELECT person_key, body, language FROM notify_outbox WHERE kind='letter'")}
if len(outbox) != len(people): fails.append("letters %d != people %d" % (len(outbox), len(people)))
# Every reader whose language has a template gets their letter in it (a law's own layout
# exists only in English for US states, whose readers are English already).
wanted, got, english_instead = {}, {}, []
for key, email, cats, country, region, lang in people:
    body, got_lang = outbox.get(key, ("", ""))
    want = (lang or "").split("-")[0].split("_")[0].lower()
    wanted[want or "?"] = wanted.get(want or "?", 0) + 1
    got[got_lang] = got.get(got_lang, 0) + 1
    if want in shipped and got_lang != want:
        english_instead.append("%s (%s, %s)" % (key, country, want))
    # Exactly the person's categories, one bullet line each, in the letter's language.
    lab = labels.get(got_lang)
    if lab is None:
        fails.append("%s: letter in %r, which has no template" % (key, got_lang)); continue
    for c in json.loads(cats):
        if "\n  - %s\n" % lab["category." + c] not in body: fails.append("%s: %s not named (%s)" % (key, c, got_lang))
    for lab_key, text in lab.items():
        if lab_key.split(".", 1)[1] not in json.loads(cats) and "\n  - %s\n" % text in body:
            fails.append("%s: %s named but not lost" % (key, lab_key))
if english_instead:
    fails.append("%d letters not in the reader's language though it has a template, e.g. %s" % (len(english_instead), english_instead[:3]))
# The drill has readers beyond en/de/fr/es: their letters are in their language now.
others = {l: n for l, n in got.items() if l not in ("en", "de", "fr", "es")}
if not others: fails.append("no letter in a language beyond en/de/fr/es: %s" % got)
# A password hash is hashed, never encrypted, in any language (stems of "encrypt").
stems = ["encrypt", "verschlüssel", "chiffré", "chiffrée", "cifrad", "cifrat", "crittograf",
         "versleutel", "szyfr", "criptograf", "encriptad", "krypter", "salattu", "salaus",
         "šifrov", "şifreli", "şifrelen", "暗号"]
for key, (body, lang) in outbox.items():
    low = body.lower()
    for s in stems:
        if s in low: fails.append("%s (%s): says %r" % (key, lang, s))
print("letters by reader's language:", dict(sorted(wanted.items())))
print("letters by letter's language:", dict(sorted(got.items())))
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
# Letters that may not be e-mailed are printed: a PDF each with the recipient's name and the
# address of their latest order, or named when the store has no postal address for them.
set +e
$T --case case notify print --json >print.json; rc=$?
set -e
[ $rc -eq 0 ] || [ $rc -eq 3 ] || { echo "FAIL: notify print exit $rc"; exit 1; }
$PY - case/case.db print.json <<'PYEOF'
import json, os, sqlite3, subprocess, sys
db = sqlite3.connect(sys.argv[1]); pr = json.load(open(sys.argv[2]))
post = db.execute("SELECT count(*) FROM notify_outbox WHERE kind='letter' AND channel='post'").fetchone()[0]
if pr["printed"] + pr["no_postal_address"] != post:
    print("FAIL: post letters %d != printed %d + without address %d" % (post, pr["printed"], pr["no_postal_address"])); sys.exit(1)
have_poppler = subprocess.run(["sh", "-c", "command -v pdftotext"], capture_output=True).returncode == 0
for oid, name in db.execute("SELECT id, recipient_name FROM notify_outbox WHERE state='printed' ORDER BY id LIMIT 5"):
    pdf = os.path.join(os.path.dirname(sys.argv[1]), "reports/notify/print/letter-%06d.pdf" % oid)
    if not os.path.exists(pdf): print("FAIL: no PDF for", oid); sys.exit(1)
    if have_poppler and name:
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        if name.split()[0] not in text: print("FAIL: %s not in %s" % (name, pdf)); sys.exit(1)
print("post letters:", post, "printed:", pr["printed"])
PYEOF
echo PASS
