#!/usr/bin/env bash
# Issue 21 acceptance: the drill's ModSecurity audit log (--waf-log) is evidence the logs stage
# reads. The exploit requests whose payload is only in their body (TrojanOrder's template
# directive in the shipping address, CosmicSting's XXE) are hit from the body, in the WAF log,
# at their request line, with the exploit's client and time from truth.json; the access log
# beside it (no bodies) does not show them to the body rules. The audit log is read as such
# even with --log-format naming the access log's format. For TrojanOrder the analysis then
# names the access log's checkout request as the entry, from the audit log's body hit.
set -euo pipefail
source "$TQ_SOURCE_DIR/tests/e2e/logs_lib.bash"
T="$TOURNIQUET"
command -v sqlite3 >/dev/null && command -v python3 >/dev/null || exit 77
declare -A rule=([trojanorder]=8625ac5a-ddae-4735-94d0-b0bcfee90628
                 [cosmicsting]=ef32923f-3990-4d27-8842-5ca08be82594)
for sc in trojanorder cosmicsting; do
  out="d-$sc"
  "$T" drill "$out" --seed 5 --scenario "$sc" --requests 6000 --customers 150 \
    --log-format nginx-custom --waf-log >/dev/null || fail "drill $sc"
  fmt=$(python3 -c "import json;print(json.load(open('$out/truth.json'))['log_format_string'])")
  "$T" init "c-$sc" --name "waf $sc" >/dev/null
  "$T" --case "c-$sc" collect --label logs "$out/logs" >/dev/null || fail "collect $sc"
  set +e
  "$T" --case "c-$sc" investigate --only logs --log-format "$fmt" --json >inv.json 2>err.txt
  rc=$?
  set -e
  [[ $rc == 0 || $rc == 1 ]] || { cat err.txt >&2; fail "$sc: investigate exit $rc"; }
  sqlite3 -separator '|' "c-$sc/case.db" \
    "SELECT e.original_path, f.format, f.lines, f.parsed FROM logs_file f
     JOIN evidence_items e ON e.id = f.evidence_id" >files.txt
  sqlite3 -separator '|' "c-$sc/case.db" \
    "SELECT e.original_path, h.line, h.c_ip, h.time, h.method, h.uri FROM logs_rule_hit h
     JOIN evidence_items e ON e.id = h.evidence_id WHERE h.rule_id = '${rule[$sc]}'" >hits.txt
  python3 - "$out" "$sc" <<'PY' || fail "$sc: entry request not found from its body in the WAF log"
import datetime, json, os, sys
out, sc = sys.argv[1], sys.argv[2]
t = json.load(open(os.path.join(out, 'truth.json')))
entry = t['entry']
waf = os.path.join(out, 'logs', 'modsec_audit.log')
lines = open(waf, 'rb').read().split(b'\n')
files = {l.split('|')[0]: l.rstrip('\n').split('|')[1:] for l in open('files.txt')}
fmt, n, parsed = next(v for k, v in files.items() if k.endswith('modsec_audit.log'))
assert fmt == 'modsec', f'audit log read as {fmt}'
entries = sum(1 for l in lines if l.endswith(b'-A--'))
assert int(parsed) == entries, f'{parsed} of {entries} audit entries parsed'
want_time = int(datetime.datetime.fromisoformat(entry['time'].replace('Z', '+00:00')).timestamp() * 1e6)
found = []
for row in open('hits.txt'):
    path, line, ip, tm, method, uri = row.rstrip('\n').split('|')
    assert path.endswith('modsec_audit.log'), f'body rule hit outside the WAF log: {row}'
    text = lines[int(line) - 1].decode('utf-8', 'replace')
    if text == entry['request'] and ip == entry['ip'] and int(tm) == want_time:
        found.append(int(line))
print(f"{sc}: entry {entry['request']} from {entry['ip']} found from its body at "
      f"modsec_audit.log:{found} ({parsed} entries parsed)")
sys.exit(0 if found else 1)
PY
  [[ $sc == trojanorder ]] || continue
  # The analysis: the audit log's hit joins the access log's copy of the request, so the entry
  # is the checkout call that carried the directive (the web root gives the version, open to
  # CVE-2022-24086); the database dump is not collected, so only the body tells.
  "$T" --case "c-$sc" collect --label webroot "$out/webroot" >/dev/null 2>&1 || fail "collect webroot"
  set +e
  "$T" --case "c-$sc" investigate --log-format "$fmt" >full.txt 2>&1
  rc=$?
  set -e
  [[ $rc == 1 ]] || { cat full.txt >&2; fail "$sc: full investigate exit $rc"; }
  got=$(sqlite3 -separator '|' "c-$sc/case.db" \
    "SELECT CAST(e.original_path AS TEXT), f.line, f.summary FROM findings f
     JOIN evidence_items e ON e.id = f.evidence_id WHERE f.kind = 'analysis.entry_vector'")
  want=$(python3 -c "import json;e=json.load(open('$out/truth.json'))['entry']['evidence'];print(e['file'].split('/')[-1] + '|' + str(e['line']))")
  echo "entry: $got (truth: $want)"
  [[ $got == "$want|"*"Template Directive In A Request Body"* ]] ||
    fail "$sc: the analysis' entry is not the request the WAF log's body names"
done
echo ok
