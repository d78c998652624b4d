# Every drill scenario (small scale, fixed seed): collect the drilled web root, run the
# webroot stage, and compare with truth.json: every file the attacker added or changed is
# found, the benign look-alikes are not flagged (false positives are listed), and the
# vulnerable version and its advisory are named. Skips until drill and collect are built.
"$TOURNIQUET" --help | grep -qE "^ +drill" || { echo "drill not built yet"; exit 77; }
"$TOURNIQUET" --help | grep -qE "^ +collect" || { echo "collect not built yet"; exit 77; }
help=$("$TOURNIQUET" drill --help 2>&1)
scenarios=$(printf '%s\n' "$help" | python3 -c '
import re, sys
t = sys.stdin.read()
m = re.search(r"--scenario[^\n]*?\{([^}]*)\}", t) or re.search(r"scenarios?:?\s*([a-z0-9_, |-]+)", t, re.I)
print(" ".join(s.strip() for s in re.split(r"[,| ]+", m.group(1)) if s.strip()) if m else "")')
[ -n "$scenarios" ] || { echo "cannot read the scenario list from drill --help"; exit 1; }
fail=0
for s in $scenarios; do
  out="drill-$s"
  "$TOURNIQUET" drill "$out" --seed 7 --scenario "$s" --scale small >/dev/null 2>drill.err ||
    { for p in magento woocommerce; do
        rm -rf "$out"
        "$TOURNIQUET" drill "$out" --seed 7 --scenario "$s" --platform $p --scale small \
            >/dev/null 2>drill.err && break
      done; }
  [ -f "$out/truth.json" ] || { echo "$s: drill failed: $(cat drill.err)"; fail=1; continue; }
  rm -rf "case-$s"
  "$TOURNIQUET" init "case-$s" --name "$s" >/dev/null
  "$TOURNIQUET" --case "case-$s" -q collect --label webroot "$out/webroot" >/dev/null
  "$TOURNIQUET" --case "case-$s" -q --json investigate --only webroot > "inv-$s.json" || true
  python3 - "$s" "$out/truth.json" "case-$s/case.db" <<'P' || fail=1
import json, sqlite3, sys
name, truth_path, db_path = sys.argv[1:]
truth = json.load(open(truth_path))
db = sqlite3.connect(db_path)
flagged = {}
advisories = []
for kind, detail in db.execute("select kind, detail from findings where component = 'webroot'"):
    d = json.loads(detail)
    if kind == "webroot.advisory":
        advisories.append(d)
    elif "path" in d:
        flagged.setdefault(d["path"], set()).add(kind)
def hits(path):
    return set().union(*[k for p, k in flagged.items() if p == path or p.endswith("/" + path)] or [set()])
missed = [f["path"] for f in truth.get("files", []) if not hits(f["path"])]
fps = {l["path"]: sorted(hits(l["path"])) for l in truth.get("benign_lookalikes", []) if hits(l["path"])}
vc = truth.get("vulnerable_component") or {}
named = [a for a in advisories if vc and a.get("cve") == vc.get("cve") and a.get("version") == vc.get("version")]
print(f"{name}: {len(truth.get('files', [])) - len(missed)}/{len(truth.get('files', []))} planted files found, "
      f"{len(fps)} false positives among {len(truth.get('benign_lookalikes', []))} look-alikes, "
      f"advisory {vc.get('cve', '-')} for {vc.get('package', '-')} {vc.get('version', '-')}: "
      f"{'named, fixed in ' + named[0].get('fixed', '?') if named else 'NOT NAMED'}")
for p in missed: print("  missed:", p)
for p, k in fps.items(): print("  false positive:", p, k)
sys.exit(1 if missed or fps or (vc and not named) else 0)
P
done
exit $fail
