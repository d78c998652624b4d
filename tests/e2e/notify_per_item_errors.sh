# One bad item stops only itself: a broken German letter template leaves the English and
# French letters written and queued (exit 3, the template named); a bad deadline in one duty
# of the table leaves the other duties in the plan (exit 3, the record's line named).
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
$T init case --name "per item" --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z \
  --legal-name "Example Shop Ltd" --dpo "dpo@shop.example" >/dev/null
make_scope_tables case/case.db
$PY - case/case.db <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
langs = ["en", "de", "fr"]
rows = [("customer:%d" % i, "p%d@example.com" % i, "P %d" % i, "DE", "", langs[i % 3], json.dumps(["email", "payment_card"])) for i in range(9)]
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,reasons) VALUES (?,?,?,?,?,?,?,'[]')", rows)
db.commit()
PYEOF
# The templates with a German letter whose section never closes.
cp -r "$TQ_SOURCE_DIR/data/templates" tpl
printf 'Subject: Ihre Daten\n\n{{#has_name}}Guten Tag\n' >tpl/letter.de.txt
set +e
$T --case case notify render --templates tpl --from privacy@shop.example >render.txt 2>render.err
rc=$?
set -e
[ $rc -eq 3 ] || { echo "FAIL: render exit $rc, expected 3"; cat render.txt render.err; exit 1; }
grep -q "ERROR: .*tpl/letter.de.txt:" render.txt || { echo "FAIL: template not named"; cat render.txt; exit 1; }
grep -q "ERROR: 3 letters not written" render.txt || { echo "FAIL: skipped count"; cat render.txt; exit 1; }
got=$(sqlite3 case/case.db "SELECT group_concat(language, ',') FROM (SELECT language FROM notify_outbox WHERE kind='letter' ORDER BY language)")
[ "$got" = "en,en,en,fr,fr,fr" ] || { echo "FAIL: outbox languages $got"; exit 1; }
# Fixed, rendered again: the German letters join, nothing else changes.
$T --case case notify render --from privacy@shop.example >/dev/null
[ "$(sqlite3 case/case.db "SELECT count(*) FROM notify_outbox WHERE kind='letter' AND language='de'")" -eq 3 ] \
  || { echo "FAIL: German letters after the fix"; exit 1; }

# The duty table with one bad deadline (GDPR Art. 33 to the regulator).
line=$(grep -n '^id: EEA.gdpr.art33$' "$TQ_SOURCE_DIR/data/jurisdictions/duties.txt" | cut -d: -f1)
sed "$((line + 8))s/^deadline: 72h\$/deadline: soon/" "$TQ_SOURCE_DIR/data/jurisdictions/duties.txt" >duties.txt
grep -q "^deadline: soon" duties.txt || { echo "FAIL: test setup: deadline not replaced"; exit 1; }
set +e
$T --case case notify plan --duties duties.txt --now 2026-03-03T00:00:00Z --json >plan.json
rc=$?
set -e
[ $rc -eq 3 ] || { echo "FAIL: plan exit $rc, expected 3"; cat plan.json; exit 1; }
$PY - plan.json "$((line + 8))" <<'PYEOF'
import json, sys
plan = json.load(open(sys.argv[1]))
errs = plan["table_errors"]
assert len(errs) == 1 and errs[0].startswith("duties.txt:%s: deadline:" % sys.argv[2]), errs
rules = {o["rule"] for o in plan["obligations"] if o["threshold_met"]}
assert "EEA.gdpr.art33" not in rules, rules
assert "EEA.gdpr.art34" in rules, rules  # the other duties are still in the plan
PYEOF
echo PASS
