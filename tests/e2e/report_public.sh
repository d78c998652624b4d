# The public documents (early notice, published post-mortem) on a drilled case must carry none
# of the internal-only strings: attacker and admin addresses, file paths, admin and rogue
# account names, customer e-mails and names, secret names' files, the store's host, token
# tables. Also checks they exist in Markdown and HTML and that --public writes one only.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
for scenario in ${REPORT_SCENARIOS:-cosmicsting}; do
  out="store-$scenario"; c="case-$scenario"
  "$T" drill "$out" --scenario "$scenario" --seed 2 --scale small > /dev/null || fail drill
  "$T" init "$c" --name "$scenario" --store-url "$(python3 -c "import json;print(json.load(open('$out/truth.json'))['store_url'])")" > /dev/null 2>&1 \
    || "$T" init "$c" --name "$scenario" > /dev/null || fail init
  "$T" --case "$c" --quiet collect --label logs "$out/logs" > /dev/null || fail collect
  "$T" --case "$c" --quiet collect --label webroot "$out/webroot" > /dev/null || fail collect
  [ -d "$out/db" ] && { "$T" --case "$c" --quiet collect --label db "$out/db" > /dev/null || fail collect; }
  "$T" --case "$c" --quiet investigate > /dev/null 2>&1
  "$T" --help 2>&1 | grep -qE "^ +scope( |$)" && "$T" --case "$c" --quiet scope > /dev/null 2>&1
  "$T" --case "$c" --quiet contain > /dev/null || fail contain
  "$T" --case "$c" report --public notice --draft > /dev/null || fail "report notice"
  [ -s "$c/reports/public-notice.md" ] && [ -s "$c/reports/public-notice.html" ] || fail "notice missing"
  [ -e "$c/reports/public-postmortem.md" ] && fail "--public notice wrote the post-mortem"
  # Nothing is done yet: facts are marked to confirm, so without --draft the run says so (exit 1)
  # and lists them; the documents are written either way.
  "$T" --case "$c" report > /dev/null 2> "$c.report.err"; rc=$?
  [ $rc = 1 ] || fail "report with open markers: exit $rc, expected 1"
  grep -q "public-postmortem.md: \[to confirm: " "$c.report.err" || fail "open markers not listed: $(cat "$c.report.err")"
  "$T" --case "$c" report --draft > /dev/null || fail "report --draft"
  python3 - "$out/truth.json" "$c" <<'PY' || exit 1
import json, sys, sqlite3, re
from urllib.parse import urlparse
truth = json.load(open(sys.argv[1])); c = sys.argv[2]
bad = set()
for a in truth["attackers"] + truth.get("benign_actors", []): bad.add(a["ip"])
for f in truth.get("files", []) + truth.get("benign_lookalikes", []): bad.add(f["path"])
for a in truth.get("admins", []) + truth.get("rogue_accounts", []): bad.add(a["username"])
for p in truth.get("affected", []):
    if p.get("email"): bad.add(p["email"])
    if p.get("name") and len(p["name"]) > 4: bad.add(p["name"])
for s in truth.get("secrets_exposed", []): bad.add(s["file"]); bad.add(s["name"])
for t in truth.get("tokens", []): bad.add(t["table"])
for x in truth.get("exfiltration", []): bad.add(x["path"])
host = urlparse(truth.get("store_url", "")).hostname
if host: bad.add(host)
if truth.get("entry", {}).get("request"): bad.add(truth["entry"]["request"].split(" ")[1].split("?")[0])
db = sqlite3.connect(f"{c}/case.db")
for (a,) in db.execute("SELECT address FROM attacker_addresses"): bad.add(a)
for (p,) in db.execute("SELECT original_path FROM evidence_items"): bad.add(p if isinstance(p, str) else p.decode("utf-8", "replace"))
bad = {b for b in bad if b and len(b) >= 4}
errs = []
for name in ["public-notice", "public-postmortem"]:
    for ext in ["md", "html"]:
        text = open(f"{c}/reports/{name}.{ext}", encoding="utf-8").read()
        low = text.lower()
        for b in sorted(bad):
            if re.search(r'(?<![\w.-])' + re.escape(str(b).lower()) + r'(?![\w-])', low): errs.append(f"{name}.{ext} leaks {b!r}")
internal = open(f"{c}/reports/postmortem-internal.md").read()
if not any(a["ip"] in internal for a in truth["attackers"]): errs.append("internal report lacks the attackers' addresses")
print(f"checked {len(bad)} internal strings against 4 public documents: {'OK' if not errs else 'FAIL'}")
for e in errs[:30]: print("  " + e, file=sys.stderr)
sys.exit(1 if errs else 0)
PY
done
