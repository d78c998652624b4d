# Every drill scenario (small scale, fixed seed) with its host tree: collect the web root,
# logs, dump and host evidence, investigate with the responders' known SSH keys, write the
# containment plan, and compare with truth.json: every planted persistence item
# (host_persistence) is found at high or critical with its file and line, named in a
# containment step and on the timeline; no look-alike (benign_host) is rated high.
scenarios="cosmicsting woo-stuffing trojanorder"
fail=0
for s in $scenarios; do
  out="drill-$s"
  "$TOURNIQUET" drill "$out" --seed 7 --scenario "$s" --scale small >/dev/null 2>drill.err ||
    { echo "$s: drill failed: $(cat drill.err)"; fail=1; continue; }
  rm -rf "case-$s"
  "$TOURNIQUET" init "case-$s" --name "$s" >/dev/null
  for l in webroot logs db host; do
    src="$out/$l"
    [ "$l" = db ] && src="$out/db/store.sql"
    "$TOURNIQUET" --case "case-$s" -q collect --label "$l" "$src" >/dev/null ||
      { echo "$s: collect $l failed"; fail=1; }
  done
  "$TOURNIQUET" --case "case-$s" -q --json investigate --known-keys "$out/known_keys.pub" \
      > "inv-$s.json" || true
  "$TOURNIQUET" --case "case-$s" -q contain >/dev/null || { echo "$s: contain failed"; fail=1; }
  python3 - "$s" "$out/truth.json" "case-$s/case.db" <<'P' || fail=1
import json, sqlite3, sys
name, truth_path, db_path = sys.argv[1:]
truth = json.load(open(truth_path))
db = sqlite3.connect(db_path)
found = {}
for fid, kind, sev, detail, t in db.execute(
        "select id, kind, severity, detail, event_time from findings where component = 'host'"):
    d = json.loads(detail)
    path = d.get("path", "").lstrip("./")
    found.setdefault((path, d.get("line")), []).append((fid, kind, sev, t))
step_findings = {fid for (fid,) in db.execute(
    "select finding_id from tasks where source = 'contain' and finding_id is not null")}
timeline = {fid for (fid,) in db.execute(
    "select finding_id from analysis_timeline where finding_id is not null")}
bad = []
planted = truth.get("host_persistence", [])
if len(planted) < 2:
    bad.append(f"only {len(planted)} planted host items")
for h in planted:
    key = (h["path"].removeprefix("host/"), h["line"])
    hits = [f for f in found.get(key, []) if f[2] in ("high", "critical")]
    if not hits:
        bad.append(f"missed {h['kind']} at {key}: {found.get(key)}")
        continue
    fid = hits[0][0]
    if fid not in step_findings:
        bad.append(f"{h['kind']} at {key}: no containment step")
    if fid not in timeline:
        bad.append(f"{h['kind']} at {key}: not on the timeline")
for b in truth.get("benign_host", []):
    key = (b["path"].removeprefix("host/"), b["line"])
    loud = [f for f in found.get(key, []) if f[2] in ("high", "critical")]
    if loud:
        bad.append(f"look-alike {key} ({b['why']}) rated {loud[0][2]}")
print(f"{name}: {len(planted)} planted host items, {len(truth.get('benign_host', []))} "
      f"look-alikes, {sum(len(v) for v in found.values())} host findings; "
      + ("all found, contained, on the timeline" if not bad else "PROBLEMS"))
for b in bad: print("  ", b)
sys.exit(1 if bad else 0)
P
done
exit $fail
