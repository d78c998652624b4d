# Containment plan and report against the drill's ground truth, on every drill scenario
# (CONTAIN_SCENARIOS / CONTAIN_SEED override): drill a small store, collect, investigate,
# scope (when the binary has it), contain, report; then check with truth.json:
#   the blocklists hold every attacker address and no admin's (benign_actors role admin);
#   every attacker file (path), rogue account, token (table + pk) and exposed secret is in
#   the plan; the report's attacker and affected counts equal the truth's.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
SEED="${CONTAIN_SEED:-1}"
SCENARIOS="${CONTAIN_SCENARIOS:-$("$T" drill --help | sed -nE 's/^ +([a-z0-9-]+) \((magento|woocommerce)\):.*/\1/p' | tr '\n' ' ')}"
[ -n "$SCENARIOS" ] || SCENARIOS="cosmicsting"
HAS_SCOPE=0; "$T" --help 2>&1 | grep -qE "^ +scope( |$)" && HAS_SCOPE=1
status=0
for scenario in $SCENARIOS; do
  out="store-$scenario"; c="case-$scenario"
  "$T" drill "$out" --scenario "$scenario" --seed "$SEED" --scale small > /dev/null || fail "drill $scenario"
  "$T" init "$c" --name "$scenario" > /dev/null || fail init
  "$T" --case "$c" --quiet collect --label logs "$out/logs" > /dev/null || fail "collect logs"
  "$T" --case "$c" --quiet collect --label webroot "$out/webroot" > /dev/null || fail "collect webroot"
  [ -d "$out/db" ] && { "$T" --case "$c" --quiet collect --label db "$out/db" > /dev/null || fail "collect db"; }
  "$T" --case "$c" --quiet investigate > /dev/null 2> "$c.inv.err"; rc=$?
  [ $rc -le 1 ] || { cat "$c.inv.err" >&2; fail "investigate exit $rc"; }
  if [ $HAS_SCOPE = 1 ]; then
    rc=0; "$T" --case "$c" --quiet scope > /dev/null 2>&1 || rc=$?
    [ $rc -le 1 ] || fail "scope exit $rc"
  fi
  "$T" --case "$c" contain --allow 192.0.2.250 --json > "$c.contain.json" || fail "contain $scenario"
  "$T" --case "$c" contain --allow 192.0.2.250 --json > "$c.contain2.json" || fail "contain rerun"
  "$T" --case "$c" report --draft > /dev/null || fail "report $scenario"
  python3 - "$out/truth.json" "$c" "$scenario" "$HAS_SCOPE" <<'PY' || status=1
import json, sqlite3, sys, re
truth = json.load(open(sys.argv[1])); c = sys.argv[2]; label = sys.argv[3]
plan = json.load(open(f"{c}.contain.json"))
nginx = open(f"{c}/reports/contain/blocklist-nginx.conf").read()
denied = set(re.findall(r"^deny (\S+);$", nginx, re.M))
apache = set(re.findall(r"Require not ip (\S+)", open(f"{c}/reports/contain/blocklist-apache.conf").read()))
csv = set(l.split(",")[0].strip("\"") for l in open(f"{c}/reports/contain/blocklist.csv").read().splitlines()[1:])
errs = []
# The issue's full acceptance; CONTAIN_STRICT=0 relaxes to a floor (at most one attacker
# address missed, the report's counts equal to the case's rather than the truth's) for
# experiments with the heuristics.
import os
strict = os.environ.get("CONTAIN_STRICT", "1") == "1"
want = {a["ip"] for a in truth["attackers"]}
admins = {b["ip"] for b in truth.get("benign_actors", []) if b["role"] == "admin"}
missed = want - denied
if missed and (strict or len(missed) > 1): errs.append(f"attackers not blocked: {sorted(missed)}")
elif missed: print(f"  known gap: attacker not attributed: {sorted(missed)}", file=sys.stderr)
if denied - want: errs.append(f"blocked but not attackers: {sorted(denied - want)}")
if admins & denied: errs.append(f"admins blocked: {sorted(admins & denied)}")
if not (denied == apache == csv): errs.append("blocklists differ between formats")
text = json.dumps(plan)
for f in truth.get("files", []):
    if f["path"] not in text: errs.append(f"file not in plan: {f['path']}")
for r in truth.get("rogue_accounts", []):
    if r["username"] not in text: errs.append(f"rogue account not in plan: {r['username']}")
for t in truth.get("tokens", []):
    pk = json.dumps(t["pk"], separators=(",", ":"))
    ok = any(s["category"] == "token" and t["table"] in s["title"] and
             all(str(v) in s["title"] for v in t["pk"].values()) for s in plan["steps"])
    if not ok: errs.append(f"token not in plan: {t['table']} {pk}")
for s in truth.get("secrets_exposed", []):
    if s["name"] not in plan["secrets"]: errs.append(f"secret not in plan: {s['name']}")
db = sqlite3.connect(f"{c}/case.db")
n1 = db.execute("SELECT count(*) FROM tasks WHERE source='contain'").fetchone()[0]
if n1 != len(plan["steps"]): errs.append(f"tasks {n1} != steps {len(plan['steps'])} (re-run duplicated?)")
md = open(f"{c}/reports/postmortem-internal.md").read()
m = re.search(r"Attackers: (\d+) \((\d+) addresses\)", md)
case_addrs = db.execute("SELECT count(DISTINCT address) FROM attacker_addresses").fetchone()[0]
expect_addrs = len(want) if strict else case_addrs
if not m or int(m.group(2)) != expect_addrs:
    errs.append(f"report addresses {m and m.group(2)} != {expect_addrs}")
if sys.argv[4] == "1":
    m = re.search(r"Affected people: (\d+)", md)
    people = db.execute("SELECT count(*) FROM scope_person").fetchone()[0]
    expect = len(truth.get("affected", [])) if strict else people
    if not m or int(m.group(1)) != expect:
        errs.append(f"report affected {m and m.group(1)} != {expect}")
    print(f"  affected: case {people}, truth {len(truth.get('affected', []))}", file=sys.stderr)
docs = db.execute("SELECT count(*) FROM report_document").fetchone()[0]
if docs != 6: errs.append(f"report_document rows {docs} != 6")
print(f"{label}: blocked {len(denied)} (truth {len(want)}), steps {len(plan['steps'])}, "
      f"secrets {len(plan['secrets'])}, {'OK' if not errs else 'FAIL'}")
for e in errs: print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
done
exit $status
