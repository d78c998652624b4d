# notify plan and render on a hand-made scope: thresholds (">500" vs ">=500"), deadlines
# from discovered_at (calendar, business days, after another duty), tasks, status, one
# letter per person naming exactly their categories, language fallback, hostile names.
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
$T init case --name "checkout skimmer" --store-url https://shop.example \
  --timezone America/New_York --discovered-at 2026-03-02T15:00:00Z \
  --legal-name "Example Shop Ltd" --dpo "dpo@shop.example" >/dev/null
make_scope_tables case/case.db
$PY - case/case.db <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = []
def add(key, email, name, country, region, lang, cats):
    rows.append((key, email, name, country, region, lang, json.dumps(sorted(cats)), 1767225600000000, 1769904000000000, "[]"))
for i in range(501): add(f"customer:ca{i}", f"ca{i}@example.com", f"CA {i}", "US", "CA", "en", ["email", "payment_card"])
for i in range(500): add(f"customer:wa{i}", f"wa{i}@example.com", f"WA {i}", "US", "WA", "en", ["email", "payment_card"])
for i in range(500): add(f"customer:fl{i}", f"fl{i}@example.com", f"FL {i}", "US", "FL", "en", ["email", "payment_card"])
add("customer:de1", "de1@example.de", "Jürgen", "DE", "", "de", ["email", "password_hash"])
add("customer:fr1", "fr1@example.fr", "Zoé", "FR", "", "fr-FR", ["email", "name", "postal_address"])
add("customer:it1", "it1@example.it", "Luca", "IT", "", "it", ["email", "payment_card"])
add("customer:br1", "br1@example.br", "Ana", "BR", "", "pt", ["email", "payment_card"])
add("customer:tx1", "tx1@example.com", "Tex", "US", "TX", "en", ["email", "order_history"])
add("customer:evil", "evil@example.com", "Mallory\x1b[31m\r\nBcc: all@example.com <b>", "GB", "", "en", ["email", "payment_card"])
add("email:nocountry@example.com", "nocountry@example.com", "", "", "", "", ["email", "payment_card"])
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,first_exposure,last_exposure,reasons) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PYEOF
set +e
$T --case case notify plan --json --now 2026-03-06T00:00:00Z >plan.json
rc=$?
set -e
[ $rc -eq 1 ] || { echo "FAIL: plan exit $rc, expected 1 (overdue duties)"; exit 1; }
$PY - plan.json <<'PYEOF'
import json, sys
p = json.load(open(sys.argv[1]))
ob = {o["key"]: o for o in p["obligations"]}
def check(cond, msg):
    if not cond:
        print("FAIL:", msg); sys.exit(1)
check("not legal advice" in p["disclaimer"], "disclaimer")
check(p["people"] == 1508 and p["people_unknown_country"] == 1, "people counts")
# California AG: more than 500 -> 501 meets it; 15 days after the 30-day resident deadline.
ca = ob["US-CA.regulator/US-CA"]
check(ca["threshold_met"] and ca["people"] == 501, "CA AG threshold >500 met by 501")
check(ca["deadline_utc"] == "2026-04-16T15:00:00Z", "CA AG deadline " + str(ca["deadline_utc"]))
check(ca["verification"] == "V-S", "CA verification")
# Washington AG: more than 500 -> 500 does not meet it. Florida: 500 or more -> met.
check(not ob["US-WA.regulator/US-WA"]["threshold_met"], "WA AG >500 not met by 500")
check(ob["US-WA.regulator/US-WA"]["status"] == "not_required", "WA status")
check(ob["US-FL.regulator/US-FL"]["threshold_met"], "FL AG >=500 met by 500")
check(ob["US-WA.individuals/US-WA"]["deadline_utc"] == "2026-04-01T15:00:00Z", "WA 30 days")
# GDPR: 72 h from discovery, overdue at --now; Art. 34 only for high-risk people (DE, IT).
g = ob["EEA.gdpr.art33/all"]
check(g["deadline_utc"] == "2026-03-05T15:00:00Z" and g["status"] == "overdue", "GDPR 72h overdue")
check(g["deadline_local"] == "2026-03-05T10:00:00-05:00", "local time " + g["deadline_local"])
check(sorted(g["jurisdictions"]) == ["DE", "FR", "IT"] and g["people"] == 3, "GDPR jurisdictions")
check(ob["EEA.gdpr.art34/all"]["people"] == 2, "Art. 34 high-risk people")
check(ob["GB.ukgdpr.art33/all"]["threshold_met"], "UK GDPR")
# Brazil: 3 business days from Monday 2 March -> Thursday 5 March.
check(ob["BR.lgpd/all"]["deadline_utc"] == "2026-03-05T15:00:00Z", "LGPD business days")
# Texas person lost no triggering category: no individual duty.
check(not ob["US-TX.individuals/US-TX"]["threshold_met"], "TX order history only")
# PCI duties cover everyone with card data, including the person with no country.
pci = ob["PCI.acquirer/all"]
check(pci["people"] == 1505 and "unknown" in pci["jurisdictions"], "PCI people %d" % pci["people"])
check(ob["PCI.pfi/all"]["verification"] == "UNV", "PFI unverified stays UNV")
check(all(o["verification"] in ("V-P", "V-S", "UNV") for o in p["obligations"]), "statuses")
PYEOF
# Tasks and status see the deadlines.
n=$(sqlite3 case/case.db "SELECT count(*) FROM tasks WHERE source='notify' AND phase=3 AND due_at IS NOT NULL")
[ "$n" -gt 5 ] || { echo "FAIL: only $n notify tasks with a due date"; exit 1; }
$T --case case status --json | $PY -c '
import json,sys
p=json.load(sys.stdin)["phases"][2]["counts"]
assert p["obligations"] > 10, p'
# Re-running the plan keeps one task per duty.
$T --case case notify plan --now 2026-03-06T00:00:00Z >/dev/null || true
m=$(sqlite3 case/case.db "SELECT count(*) FROM tasks WHERE source='notify'")
[ "$m" -eq "$(sqlite3 case/case.db "SELECT count(*) FROM notify_obligation WHERE threshold_met=1")" ] \
  || { echo "FAIL: tasks $m not one per required obligation"; exit 1; }
# Marking one done shows in the plan.
$T --case case notify plan --done EEA.gdpr.art33/all >/dev/null || true
[ "$(sqlite3 case/case.db "SELECT status FROM notify_obligation WHERE obligation_key='EEA.gdpr.art33/all'")" = done ] \
  || { echo "FAIL: --done"; exit 1; }
plan_text=$($T --case case notify plan || true)
grep -q "UNVERIFIED" <<<"$plan_text" || { echo "FAIL: unverified duties not flagged"; exit 1; }
grep -q "not legal advice" <<<"$plan_text" || { echo "FAIL: no disclaimer"; exit 1; }

# Render: one letter per person, exactly their categories, in their language.
$T --case case notify render --from privacy@shop.example --organisation "Example Shop" --json >render.json
$PY - render.json case <<'PYEOF'
import csv, json, sqlite3, sys, os
r = json.load(open(sys.argv[1])); case = sys.argv[2]
def check(cond, msg):
    if not cond:
        print("FAIL:", msg); sys.exit(1)
check(r["letters"] == 1508 and r["queued"] == 1508, "letters %d" % r["letters"])
check(r["languages"] == {"de": 1, "en": 1504, "fr": 1, "it": 1, "pt": 1}, "langs %s" % r["languages"])
check(r["fallback_language"] == 0, "no letter falls back to English: %d" % r["fallback_language"])
check(r["notices"] >= 8, "notices")
db = sqlite3.connect(os.path.join(case, "case.db"))
def load_labels(lang):
    path = "%s/data/templates/strings.%s.txt" % (os.environ["TQ_SOURCE_DIR"], lang)
    return dict(l.split(": ", 1) for l in open(path, encoding="utf-8").read().splitlines() if l.startswith("category."))
labels_by_lang = {}
labels_en = load_labels("en")
labels_de = load_labels("de")
rows = db.execute("SELECT p.person_key, p.categories, o.language, o.body, o.subject, o.state, o.recipient FROM scope_person p JOIN notify_outbox o ON o.person_key = p.person_key").fetchall()
check(len(rows) == 1508, "one outbox row per person")
all_cats = set(labels_en)
for key, cats, lang, body, subject, state, rcpt in rows:
    cats = json.loads(cats)
    labels = labels_by_lang.setdefault(lang, load_labels(lang))
    # Each category is one bullet line: exactly the person's, in the letter's language.
    for c in cats:
        check("\n  - %s\n" % labels["category." + c] in body, f"{key}: {c} missing ({lang})")
    for other in all_cats:
        c = other.split(".", 1)[1]
        if c not in cats:
            check("\n  - %s\n" % labels[other] not in body, f"{key}: {c} named but not lost ({lang})")
    check(all(ch == "\n" or ord(ch) >= 32 for ch in body), f"{key}: control character in body")
    check("\r" not in subject and "\n" not in subject, "subject line break")
de = db.execute("SELECT body, language FROM notify_outbox WHERE person_key='customer:de1'").fetchone()
check(de[1] == "de" and "Passwort" in de[0] and labels_de["category.password_hash"] in de[0], "German letter")
fr = db.execute("SELECT language FROM notify_outbox WHERE person_key='customer:fr1'").fetchone()
check(fr[0] == "fr", "fr-FR gets the French letter")
evil = db.execute("SELECT body, recipient_name FROM notify_outbox WHERE person_key='customer:evil'").fetchone()
check("\x1b" not in evil[0] and "\r" not in evil[0] and "Mallory" in evil[0], "hostile name cleaned")
check("Bcc: all@example.com" in evil[0].replace("\n", " "), "name text kept (as text)")
card = db.execute("SELECT body FROM notify_outbox WHERE person_key='customer:ca0'").fetchone()[0]
check("bank" in card and "new card" in card, "card advice")
check("Change your password" not in card, "no password advice without password loss")
pw = db.execute("SELECT body FROM notify_outbox WHERE person_key='customer:tx1'").fetchone()[0]
check("new card" not in pw and "Change your password" not in pw and "past orders" in pw, "order-history advice only")
with open(os.path.join(case, "reports/notify/letters/index.csv")) as f:
    check(sum(1 for _ in csv.reader(f)) == 1509, "index.csv rows")
html = open(os.path.join(case, "reports/notify/public_statement.html")).read()
check("<b>" not in html and "<script" not in html, "HTML statement escaped")
check(os.path.exists(os.path.join(case, "reports/notify/notices/EEA.gdpr.art33_all.txt")), "GDPR notice")
n = open(os.path.join(case, "reports/notify/notices/US-CA.regulator_US-CA.txt")).read()
check("Number of residents affected: 501" in n, "CA AG notice count")
PYEOF
# Render again: nothing duplicated, nothing changed.
$T --case case notify render --from privacy@shop.example --organisation "Example Shop" --json >render2.json
$PY -c 'import json,sys; r=json.load(open("render2.json")); assert r["queued"]==0 and r["unchanged"]==1508, r'
echo PASS
