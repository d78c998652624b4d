# Acceptance (issue 24, correlations): on the small woo-stuffing drill the shipped pack's
# credential stuffing correlation fires once for the login form, with the stuffing bots'
# requests as its events; on woo-stuffing and cosmicsting no correlation of the pack takes an
# event from the stores' normal traffic: customers, admins and monitors (the truth's
# benign_actors other than scanners, and the addresses it does not name that the store ever
# answered with a page; the drill's background mass scanners, never answered but with
# 403/404, are not normal traffic).
source "$TQ_SOURCE_DIR/tests/e2e/logs_lib.bash"
T="$TOURNIQUET"
command -v python3 >/dev/null || exit 77
for sc in woo-stuffing cosmicsting; do
  "$T" drill "d_$sc" --seed 7 --scenario "$sc" --scale small > /dev/null 2>&1 || fail "drill $sc"
  "$T" init "c_$sc" --name "$sc" > /dev/null
  "$T" --case "c_$sc" collect --label logs "d_$sc/logs" > /dev/null 2>&1 || fail "collect $sc"
  "$T" --case "c_$sc" investigate --only logs > /dev/null 2>&1 || true
  sqlite3 -separator $'\t' "c_$sc/case.db" \
    "SELECT title, level, group_json, events, distinct_values, members_json FROM logs_correlation_hit" \
    > "hits_$sc.tsv"
  sqlite3 "c_$sc/case.db" "SELECT count(*) FROM findings WHERE kind = 'log.correlation'" > "findings_$sc.txt"
  python3 - "d_$sc" "$sc" <<'PY' || fail "scenario $sc"
import gzip, json, os, sys
out, sc = sys.argv[1], sys.argv[2]
t = json.load(open(os.path.join(out, 'truth.json')))
attackers = {a['ip'] for a in t['attackers']}
stuffers = {a['ip'] for a in t['attackers'] if a['role'] == 'credential_stuffing'}
scanners = {a['ip'] for a in t['benign_actors'] if a['role'] == 'scanner'}
answered = set()  # addresses the store answered 2xx/3xx at least once
for f in os.listdir(os.path.join(out, 'logs')):
    p = os.path.join(out, 'logs', f)
    op = gzip.open if p.endswith('.gz') else open
    with op(p, 'rt', errors='replace') as fh:
        for l in fh:
            parts = l.split('"')
            if len(parts) > 2 and parts[2][:2] in (' 2', ' 3'):
                answered.add(l.split(' ', 1)[0])
lines = {}
def line(name, n):
    if name not in lines:
        p = os.path.join(out, 'logs', os.path.basename(name))
        op = gzip.open if p.endswith('.gz') else open
        with op(p, 'rt', errors='replace') as f:
            lines[name] = f.read().split('\n')
    return lines[name][n - 1]
rows = [r.rstrip('\n').split('\t') for r in open(f'hits_{sc}.tsv') if r.strip()]
bad = 0
stuffing = []
for title, level, group, events, distinct, members in rows:
    ips = [line(m['log_file'], m['line']).split(' ', 1)[0] for m in json.loads(members)]
    normal = [ip for ip in ips if ip not in attackers and ip not in scanners and ip in answered]
    print(f'{sc}: {title} ({level}) {group}: {events} events, {distinct} distinct, '
          f'{len(ips)} members, {len(normal)} from normal traffic')
    if normal:
        bad += 1
    if title == 'Credential Stuffing On One Login Form':
        stuffing.append((group, int(events), int(distinct), ips))
if int(open(f'findings_{sc}.txt').read()) != len(rows):
    print(f'{sc}: findings and correlation hits differ', file=sys.stderr); bad += 1
if sc == 'woo-stuffing':
    if len(stuffing) != 1:
        print(f'{sc}: stuffing correlation hits: {len(stuffing)}, want 1', file=sys.stderr); bad += 1
    else:
        group, events, distinct, ips = stuffing[0]
        if json.loads(group) != {'cs-uri-stem': '/wp-login.php'} or not set(ips) <= stuffers \
                or distinct < 10 or events < 100:
            print(f'{sc}: stuffing hit {group} {events} {distinct}', file=sys.stderr); bad += 1
sys.exit(1 if bad else 0)
PY
done
echo ok
