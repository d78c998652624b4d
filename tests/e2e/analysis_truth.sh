# The investigation against the drill's ground truth: for each scenario and seeds (default
# 1 2 3; ANALYSIS_SEEDS / ANALYSIS_SCENARIOS override), drill a small store, collect it, run
# `investigate`, and compare with truth.json:
#   attacker addresses: recall 1.0, precision >= 0.95 (no admin, customer or failed scanner);
#   the entry request is the truth's (file and line);
#   every attack step is on the timeline within one second;
#   bytes exfiltrated within 1% of the truth;
#   attackers ranked by what they achieved: attacker-1 holds a truth intruder and only
#   attackers; the credential-stuffing bots are one campaign actor; the truth's scanners are
#   no attacker, and those with rule hits are in the one background-scanning actor;
#   severity by outcome: findings rated high or critical are under 1% of all findings, and
#   every finding on an access-log line a truth step names is among them.
# Prints one line of figures per run. Skips (77) when the binary has no drill or collect.
# Under ctest it runs seed 1 of every scenario (ANALYSIS_SEEDS="1 2 3" for all three;
# ANALYSIS_SCALE=medium for the medium drill, by hand: too slow for make test);
# ANALYSIS_STRICT=0 relaxes to a floor (recall >= 0.75, at most one step missing) for
# experiments with the heuristics.
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
"$T" collect --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77

SEEDS="${ANALYSIS_SEEDS:-1}"
STRICT="${ANALYSIS_STRICT:-1}"
SCENARIOS="${ANALYSIS_SCENARIOS:-$("$T" drill --help | sed -n 's/.*--scenario.*{\(.*\)}.*/\1/p' | tr ',' ' ')}"
[ -n "$SCENARIOS" ] || SCENARIOS="cosmicsting woo-stuffing trojanorder"
status=0
for scenario in $SCENARIOS; do
  for seed in $SEEDS; do
    out="store-$scenario-$seed"
    c="case-$scenario-$seed"
    "$T" drill "$out" --scenario "$scenario" --seed "$seed" --scale "${ANALYSIS_SCALE:-small}" > /dev/null \
      || fail "drill $scenario $seed"
    "$T" init "$c" --name "$scenario $seed" > /dev/null || fail "init"
    "$T" --case "$c" --quiet collect --label logs "$out/logs" > /dev/null || fail "collect logs"
    "$T" --case "$c" --quiet collect --label webroot "$out/webroot" > /dev/null \
      || fail "collect webroot"
    [ -d "$out/db" ] && { "$T" --case "$c" --quiet collect --label db "$out/db" > /dev/null \
      || fail "collect db"; }
    rc=0
    "$T" --case "$c" investigate --json > "$c.investigate.json" 2> "$c.investigate.err" || rc=$?
    [ $rc -le 1 ] || { cat "$c.investigate.err" >&2; fail "investigate exit $rc"; }
    "$T" --case "$c" timeline --format timesketch > "$c.timeline.jsonl" || fail "timeline"
    python3 - "$out/truth.json" "$c/case.db" "$c.investigate.json" "$c.timeline.jsonl" \
        "$scenario" "$seed" "$STRICT" <<'PY' || status=1
import json, sqlite3, sys
from datetime import datetime, timezone
truth = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
inv = json.load(open(sys.argv[3]))["stages"]["analysis"]
rows = [json.loads(l) for l in open(sys.argv[4]) if l.strip()]
label = f"{sys.argv[5]} seed {sys.argv[6]}"

def ts(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp() * 1_000_000)

want = {a["ip"] for a in truth["attackers"]}
got = {r[0] for r in db.execute("SELECT address FROM attacker_addresses")}
tp = len(want & got)
recall = tp / len(want) if want else 1.0
precision = tp / len(got) if got else (1.0 if not want else 0.0)
benign = {b["ip"]: b["role"] for b in truth.get("benign_actors", [])}
wrong = sorted(f"{ip}({benign.get(ip, '?')})" for ip in got - want)
missed = sorted(want - got)

entry_ok = False
e = truth.get("entry")
row = db.execute("SELECT f.line, i.original_path FROM findings f LEFT JOIN evidence_items i "
                 "ON i.id=f.evidence_id WHERE f.kind='analysis.entry_vector'").fetchone()
if e and row:
    path = row[1].decode() if isinstance(row[1], bytes) else (row[1] or "")
    entry_ok = row[0] == e["evidence"]["line"] and path.endswith(e["evidence"]["file"].split("/")[-1])
got_entry = f"{row[1]}:{row[0]}" if row else "none"

times = [r["timestamp"] for r in rows]
missing_steps = []
for s in truth.get("steps", []):
    t = ts(s["time"])
    if not any(abs(x - t) <= 1_000_000 for x in times):
        missing_steps.append(f'{s["action"]}@{s["time"]}')
steps = len(truth.get("steps", []))

want_bytes = truth.get("bytes_exfiltrated", 0)
got_bytes = inv["bytes_exfiltrated"]
bytes_ok = abs(got_bytes - want_bytes) <= 0.01 * want_bytes if want_bytes else got_bytes == 0

# Ranking, campaigns, background scanning.
problems = []
actors = {}
for label_, detail in db.execute("SELECT json_extract(detail,'$.label'), detail FROM findings "
                                 "WHERE kind='analysis.attacker'"):
    actors[label_] = json.loads(detail)
roles = {a["ip"]: a["role"] for a in truth["attackers"]}
first = actors.get("attacker-1")
if not first:
    problems.append("no attacker-1")
else:
    a1 = set(first["addresses"])
    if not a1 <= want or not any(roles.get(ip) == "intruder" for ip in a1):
        problems.append(f"attacker-1 is not the intruder: {first['role']} {sorted(a1)[:5]}")
bots = {ip for ip, r in roles.items() if r == "credential_stuffing"}
if bots:
    holders = [a for a in actors.values() if bots & set(a["addresses"])]
    if len(holders) != 1 or holders[0]["kind"] != "campaign" or not bots <= set(holders[0]["addresses"]):
        problems.append(f"stuffing bots in {len(holders)} actor(s): "
                        f"{[(a['label'], a['kind'], len(a['addresses'])) for a in holders]}")
scanners = {b["ip"] for b in truth.get("benign_actors", []) if b["role"] == "scanner"}
bg = db.execute("SELECT detail FROM findings WHERE kind='analysis.background_scanning'").fetchall()
bg_detail = json.loads(bg[0][0]) if len(bg) == 1 else {}
bg_addrs = set(bg_detail.get("addresses", []))
# The finding lists a sample of its addresses; past it (the medium drill's thousands) the
# membership is checked by count: no such scanner is an attacker (above), all are counted.
bg_sampled = bg_detail.get("addresses_total", 0) > len(bg_addrs)
# A scanner is background unless one of its requests worked (a reflected probe answered 200 is
# rated at its rule's level, not hidden as noise).
hit_ips = {r[0] for r in db.execute("SELECT c_ip FROM logs_rule_hit GROUP BY c_ip "
                                    "HAVING min(CAST(status AS INTEGER)) >= 400")}
if scanners & got:
    problems.append(f"scanners attributed: {sorted(scanners & got)}")
if not bg_sampled and (scanners & hit_ips) - bg_addrs:
    problems.append(f"scanners outside the background actor: {sorted((scanners & hit_ips) - bg_addrs)}")
if bg_sampled and bg_detail["addresses_total"] < len(scanners & hit_ips):
    problems.append(f"background actor counts {bg_detail['addresses_total']} addresses, "
                    f"{len(scanners & hit_ips)} refused scanners")
# Severity by outcome.
total, high = db.execute("SELECT count(*), sum(severity IN ('high','critical')) FROM findings").fetchone()
share = high / total if total else 0
if share >= 0.01:
    problems.append(f"{high} of {total} findings rated high or critical ({100 * share:.2f}%)")
named = low_named = 0
for s_ in truth.get("steps", []):
    ev = s_.get("evidence")
    if not ev or not ev["file"].startswith("logs/"):
        continue
    base = ev["file"].split("/")[-1]
    for kind, sev, path in db.execute(
            "SELECT f.kind, f.severity, CAST(i.original_path AS TEXT) FROM findings f "
            "JOIN evidence_items i ON i.id=f.evidence_id WHERE f.line=? AND i.label='logs'",
            (ev["line"],)):
        if path != base and not path.endswith("/" + base):
            continue
        named += 1
        if sev not in ("high", "critical"):
            low_named += 1
            problems.append(f"step {s_['action']} line {ev['line']}: {kind} rated {sev}")

print(f"{label}: recall {recall:.2f} precision {precision:.2f} ({len(got)} found, {len(want)} true)"
      f" entry {'ok' if entry_ok else 'WRONG ' + got_entry + ' want ' + e['evidence']['file'] + ':' + str(e['evidence']['line'])}"
      f" steps {steps - len(missing_steps)}/{steps} bytes {got_bytes}/{want_bytes}"
      f" high+ {high}/{total} ({100 * share:.2f}%) step findings high+ {named - low_named}/{named}"
      f" background {len(bg_addrs)}")
if sys.argv[7] == "1":
    ok = recall == 1.0 and precision >= 0.95 and entry_ok and not missing_steps and bytes_ok \
        and not problems
else:
    ok = recall >= 0.75 and precision >= 0.95 and len(missing_steps) <= 1 and bytes_ok
if not ok:
    if wrong: print(f"  not attackers: {wrong}")
    if missed: print(f"  missed: {missed}")
    if missing_steps: print(f"  steps not on the timeline: {missing_steps}")
    for p in problems: print(f"  {p}")
sys.exit(0 if ok else 1)
PY
  done
done
exit $status
