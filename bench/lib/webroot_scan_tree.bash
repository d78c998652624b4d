# Shared by the web-root benchmarks (sourced, not run: make bench runs bench/*.sh only).
# Needs TQ (the binary) and WORK (a scratch directory).
# Runs the web-root stage over a tree; writes per-file max severity to $2 (path<TAB>severity).
scan_tree() {
  local tree=$1 out=$2
  local case=$WORK/case-$(basename "$out" .tsv)
  rm -rf "$case"
  "$TQ" init "$case" --name bench >/dev/null
  "$TQ" --case "$case" -q collect --label webroot "$tree" >/dev/null
  local t0=$(date +%s.%N)
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
    "$TQ" --case "$case" -q --json investigate --only webroot >/dev/null || true
  read -r secs kb < <(tail -n 1 "$WORK/time.txt")
  echo "  $(basename "$tree"): investigate --only webroot ${secs}s, peak ${kb} KB"
  python3 - "$case/case.db" "$out" <<'P'
import json, sqlite3, sys
rank = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
db = sqlite3.connect(sys.argv[1])
best = {}
for kind, sev, detail, summary in db.execute(
        "select kind, severity, detail, summary from findings where component='webroot'"):
    if kind in ("webroot.platform", "webroot.advisory", "webroot.timing", "webroot.integrity"):
        continue
    d = json.loads(detail)
    p = d.get("path")
    if not p:
        continue
    if rank[sev] > best.get(p, (-1, ""))[0]:
        best[p] = (rank[sev], kind + ": " + summary)
with open(sys.argv[2], "w") as f:
    for p, (r, why) in sorted(best.items()):
        f.write("%s\t%d\t%s\n" % (p, r, why.replace("\t", " ").replace("\n", " ")))
P
}
