# Acceptance: on every drill scenario, the attacker's exploit, webshell and download requests
# (truth.json: entry.evidence, steps[].evidence of those actions, exfiltration[].evidence) are
# hit by the shipped pack. Skipped (77) until `tourniquet drill` is on main. Logs are added
# with `collect` when it exists, else placed in the evidence store as collect would.
source "$TQ_SOURCE_DIR/tests/e2e/logs_lib.bash"
T="$TOURNIQUET"
"$T" --help > help.txt 2>&1 || true
grep -q "^  drill " help.txt || exit 77
"$T" drill --help > drill_help.txt 2>&1 || exit 77
command -v python3 >/dev/null || exit 77
scenarios=$(python3 - <<'PY'
import re
text = open('drill_help.txt').read()
m = re.search(r'--scenario[^\n]*?\{([^}]*)\}', text) or re.search(r'--scenario[^\n]*?\(([^)]*)\)', text)
print(' '.join(x.strip() for x in re.split(r'[ ,|]+', m.group(1)) if x.strip()) if m else 'default')
PY
)
for sc in $scenarios; do
  out="drill_$sc"
  args=(drill "$out" --seed 7 --scale small)
  [ "$sc" != default ] && args+=(--scenario "$sc")
  "$T" "${args[@]}" > /dev/null 2>&1 || "$T" drill "$out" --seed 7 ${sc:+--scenario "$sc"} > /dev/null || fail "drill $sc"
  [ -f "$out/truth.json" ] || fail "no truth.json for $sc"
  "$T" init "case_$sc" --name "drill $sc" > /dev/null
  if grep -q "^  collect " help.txt; then
    "$T" --case "case_$sc" collect --label logs "$out/logs" > /dev/null || fail "collect $sc"
  else
    for f in "$out"/logs/*; do add_log_evidence "case_$sc" "$f" "$f"; done
  fi
  fmt_args=()
  fmt=$(python3 -c "import json;t=json.load(open('$out/truth.json'));print(t.get('log_format_string','') if t.get('log_format')=='nginx-custom' else '')")
  [ -n "$fmt" ] && fmt_args=(--log-format "$fmt")
  "$T" --case "case_$sc" investigate --only logs "${fmt_args[@]}" > /dev/null 2>&1 || true
  sqlite3 "case_$sc/case.db" "SELECT e.original_path, h.line FROM logs_rule_hit h JOIN evidence_items e ON e.id = h.evidence_id" > hits.txt
  python3 - "$out" "$sc" <<'PY' || fail "scenario $sc: attacker requests missed"
import json, os, sys
out, sc = sys.argv[1], sys.argv[2]
t = json.load(open(os.path.join(out, 'truth.json')))
hits = set()
for row in open('hits.txt'):
    path, line = row.rstrip('\n').rsplit('|', 1)
    hits.add((os.path.relpath(path, out) if path.startswith(out) else path.split(out + '/')[-1], int(line)))
want = []
if t.get('entry', {}).get('evidence'): want.append(('entry', t['entry']['evidence']))
for s in t.get('steps', []):
    if s.get('action') in ('exploit', 'webshell', 'download') and s.get('evidence'):
        want.append((s['action'], s['evidence']))
for x in t.get('exfiltration', []):
    if x.get('evidence'): want.append(('exfiltration', x['evidence']))
missed = [(k, e) for k, e in want if not any(h[1] == e['line'] and (h[0] == e['file'] or h[0].endswith('/' + e['file']) or e['file'].endswith(h[0])) for h in hits)]
for k, e in missed: print(f"{sc}: {k} {e['file']}:{e['line']} not hit", file=sys.stderr)
print(f"{sc}: {len(want) - len(missed)}/{len(want)} attacker requests hit")
sys.exit(1 if missed or not want else 0)
PY
done
echo ok
