#!/usr/bin/env bash
# Whole-command benchmark of the log stage (make bench): nginx combined logs of >= 2 GB with
# the shipped pack (>= 150 rules) on 2 threads, against `rg -c` with the same literal
# patterns, `goaccess` (on a 100 MB slice, extrapolated as MB/s), and for gzip input
# against `zcat | wc -l`, each the best of TQ_BENCH_RUNS (3) interleaved runs. Peak memory from
# /usr/bin/time. Until the drill is on main the log
# is generated here: real lines from the shared corpus repeated with varying client
# addresses and paths, with a sprinkling of attack requests.
#   TQ_BENCH_DIR (default /tmp/tq-bench-logs), TQ_BENCH_GB (default 2), TQ_BENCH_LOG (use a file)
#   TQ_BENCH_CORRELATION: 1 (default) also times the logs stage without the pack's correlation
#   files (rules/sigma/corr_*.yml), interleaved with the runs with them, and prints the cost;
#   "only" runs just that comparison (e.g. on a drilled log given as TQ_BENCH_LOG); 0 skips it.
set -euo pipefail
T="${TOURNIQUET:?}"
SRC="${TQ_SOURCE_DIR:?}"
dir="${TQ_BENCH_DIR:-/tmp/tq-bench-logs2}"
gb="${TQ_BENCH_GB:-2}"
mkdir -p "$dir"
log="${TQ_BENCH_LOG:-$dir/access.log}"
corpus="$SRC/../shared/corpus/logs/elastic-apache_logs.log"
[ -f "$corpus" ] || corpus="$SRC/../../shared/corpus/logs/elastic-apache_logs.log"

if [ ! -s "$log" ]; then
  python3 - "$corpus" "$dir/base.log" <<'PY'
import random, re, sys
random.seed(7)
src, out = sys.argv[1], sys.argv[2]
lines = [l.rstrip('\n') for l in open(src, errors='replace') if l.count('"') >= 6]
pat = re.compile(r'^(\S+) (.*?)\[(\d\d)/(\w+)/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d{4})\] "(\S+) (\S+) (HTTP/[\d.]+)" (.*)$')
attacks = ['GET /pub/media/wysiwyg/.system/x.php?cmd=id', 'GET /.env', 'GET /app/etc/env.php',
           'POST /rest/V1/guest-carts/abc/estimate-shipping-methods', 'GET /backup.sql.gz',
           'GET /p?id=1%20UNION%20SELECT%201,2', 'POST /xmlrpc.php', 'GET /.git/config']
pool = ['%d.%d.%d.%d' % (random.randint(1, 223), random.randint(0, 255), random.randint(0, 255), random.randint(1, 254)) for _ in range(20000)]
buf = []
size = 0
day = 1
while size < 64 << 20:
    l = random.choice(lines)
    m = pat.match(l)
    if not m:
        continue
    ip = random.choice(pool)  # a store sees thousands of clients, not one per request
    method, uri = m.group(8), m.group(9)
    if random.random() < 0.001:
        method, uri = random.choice(attacks).split(' ', 1)
    elif random.random() < 0.5:
        uri = uri + ('&' if '?' in uri else '?') + 'p=%d' % random.randint(1, 99999)
    s = '%s %s[%02d/Oct/2025:%s +0200] "%s %s %s" %s\n' % (ip, m.group(2), 1 + (size >> 21) % 28, m.group(6), method, uri, m.group(10), m.group(11))
    buf.append(s)
    size += len(s)
open(out, 'w').write(''.join(buf))
PY
  : > "$log"
  while [ "$(stat -c %s "$log")" -lt $((gb * 1024 * 1024 * 1024)) ]; do cat "$dir/base.log" >> "$log"; done
fi
bytes=$(stat -c %s "$log")
mb=$(python3 -c "print(round($bytes/1e6, 1))")
lines=$(wc -l < "$log")
echo "input: $log, $mb MB, $lines lines (nginx combined)"

case="$dir/case"
new_case() {  # NAME [FILE ORIGINAL]...: a fresh case holding the files as log evidence
  rm -rf "$case"
  "$T" init "$case" --name "$1" > /dev/null
  shift
  while [ $# -gt 0 ]; do add "$1" "$2"; shift 2; done
}
add() {  # FILE ORIGINAL: link (not copy) into the evidence store, as collect would store it
  local sha; sha=$(sha256sum "$1" | cut -d' ' -f1)
  mkdir -p "$case/evidence/objects/${sha:0:2}"
  ln -f "$1" "$case/evidence/objects/${sha:0:2}/$sha" 2>/dev/null || cp "$1" "$case/evidence/objects/${sha:0:2}/$sha"
  sqlite3 "$case/case.db" "INSERT INTO evidence_items (sha256,label,original_path,kind,size,source,collected_at) VALUES ('$sha','logs','$2','file',$(stat -c %s "$1"),'bench',0)"
}
# The machine may be shared: its load as the runs start and end goes with the figures.
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
trap 'echo "load average at the end: $(cut -d" " -f1-3 /proc/loadavg)"' EXIT
rules=$("$T" rules check "$SRC/rules/sigma" | tail -1)
echo "rules: $rules"
cat "$log" > /dev/null  # warm the page cache for every contender alike
if command -v fincore > /dev/null; then
  echo "page cache: $(fincore -n -o RES "$log" | tr -d ' ') of the log resident (what is not is read from disk in every run)"
fi

# The machine is shared: wall time depends on the neighbours' load, so each contender is
# timed by its CPU time (user + system), and "2-core" throughput assumes both cores busy:
# seconds = cpu / min(threads, 2). Each contender runs TQ_BENCH_RUNS times (3), interleaved
# with the others, and its least CPU time counts: what the neighbours take varies from minute
# to minute, and is never less than nothing.
runs="${TQ_BENCH_RUNS:-3}"
timed() {  # THREADS CMD...: prints cpu-seconds-per-core, max RSS (MB), wall seconds
  local threads="$1"; shift
  /usr/bin/time -f "%e %U %S %M" -o "$dir/time.txt" "$@" > "$dir/cmd.out" 2> "$dir/cmd.err" || true
  read -r wall user sys kb < <(tail -1 "$dir/time.txt")
  echo "$(python3 -c "print(round(($user + $sys) / $threads, 2))") $((kb / 1024)) $wall"
}
best() {  # NAME THREADS CMD...: keeps the run with the least CPU in NAME_secs, NAME_rss, NAME_wall
  local name="$1" secs rss wall; shift
  read -r secs rss wall < <(timed "$@")
  local cur="${name}_secs"
  if [ -z "${!cur:-}" ] || python3 -c "import sys; sys.exit(0 if $secs < ${!cur} else 1)"; then
    printf -v "${name}_secs" '%s' "$secs"
    printf -v "${name}_rss" '%s' "$rss"
    printf -v "${name}_wall" '%s' "$wall"
  fi
}

# The same literal patterns for rg: every string value of the pack's rules (case-insensitive).
python3 - "$SRC/rules/sigma" "$dir/patterns.txt" <<'PY'
import os, sys, yaml
pats = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k != 'condition' and not ('|re' in str(k) or '|base64' in str(k) or '|cidr' in str(k) or str(k).split('|')[0] in ('cs-method', 'sc-status', 'sc-bytes')):
                walk(x)
    elif isinstance(v, list):
        for x in v: walk(x)
    elif isinstance(v, str) and len(v) >= 3 and '*' not in v and '?' not in v:
        pats.add(v)
for f in os.listdir(sys.argv[1]):
    if f.endswith('.yml'):  # a correlation file holds several documents
        for doc in yaml.safe_load_all(open(os.path.join(sys.argv[1], f))):
            if doc and 'detection' in doc:
                walk(doc['detection'])
open(sys.argv[2], 'w').write('\n'.join(sorted(pats)) + '\n')
PY
npat=$(wc -l < "$dir/patterns.txt")
# The pack without its correlation files, for the cost of the correlations.
corr="${TQ_BENCH_CORRELATION:-1}"
nocorr="$dir/pack-without-correlations"
rm -rf "$nocorr" && mkdir -p "$nocorr"
for f in "$SRC"/rules/sigma/*.yml; do
  case "$(basename "$f")" in corr_*) ;; *) cp "$f" "$nocorr/" ;; esac
done
if [ "$corr" = only ]; then
  for ((i = 0; i < runs; ++i)); do
    new_case bench "$log" /var/log/nginx/access.log
    best t 2 "$T" --case "$case" --quiet investigate --only logs --threads 2
    [ "$i" -gt 0 ] || grep -h "correlations over" "$dir/cmd.out" || true
    new_case bench "$log" /var/log/nginx/access.log
    best tn 2 "$T" --case "$case" --quiet investigate --only logs --threads 2 --no-shipped-rules --rules "$nocorr"
  done
  echo "logs stage with the correlation pack (best of $runs): wall ${t_wall}s, peak RSS ${t_rss} MB"
  echo "logs stage without it: wall ${tn_wall}s, peak RSS ${tn_rss} MB; the correlations cost $(python3 -c "print(round(($t_wall/$tn_wall - 1) * 100, 1))")% wall time, $((t_rss - tn_rss)) MB"
  exit 0
fi
for ((i = 0; i < runs; ++i)); do
  new_case bench "$log" /var/log/nginx/access.log
  best t 2 "$T" --case "$case" --quiet investigate --only logs --threads 2
  [ "$i" -gt 0 ] || grep -h "logs:" "$dir/cmd.out" | head -3 || true
  best r 1 rg -c -i -F -f "$dir/patterns.txt" "$log"
  best rm 1 rg --count-matches -i -F -f "$dir/patterns.txt" "$log"
  best r6 1 rg -c -e 'union select' -e '/etc/passwd' -e '\.env' -e 'wp-login' -e 'xmlrpc' -e 'estimate-shipping' "$log"
  if [ "$corr" != 0 ]; then
    new_case bench "$log" /var/log/nginx/access.log
    best tn 2 "$T" --case "$case" --quiet investigate --only logs --threads 2 --no-shipped-rules --rules "$nocorr"
  fi
done
# Every figure is wall time (MB/s from wall time); CPU per core is printed beside it only.
tq_mbs=$(python3 -c "print(round($mb/$t_wall))")
echo "tourniquet investigate (logs, 2 threads, best of $runs): wall ${t_wall}s, ${tq_mbs} MB/s (CPU ${t_secs}s per core), peak RSS ${t_rss} MB"
rg_mbs=$(python3 -c "print(round($mb/$r_wall))")
echo "rg -c -i -F with the pack's $npat literal patterns: wall ${r_wall}s, ${rg_mbs} MB/s, peak RSS ${r_rss} MB"
echo "rg --count-matches with the same patterns (every match, not every matching line): wall ${rm_wall}s, $(python3 -c "print(round($mb/$rm_wall))") MB/s, peak RSS ${rm_rss} MB"
echo "rg -c with six patterns: wall ${r6_wall}s, $(python3 -c "print(round($mb/$r6_wall))") MB/s"
echo "ratio tourniquet/rg (same patterns): $(python3 -c "print(round($t_wall/$r_wall, 2))")x the wall time"
if [ "$corr" != 0 ]; then
  echo "without the correlation pack: wall ${tn_wall}s, peak RSS ${tn_rss} MB; the correlations cost $(python3 -c "print(round(($t_wall/$tn_wall - 1) * 100, 1))")% wall time, $((t_rss - tn_rss)) MB"
fi

head -c 100000000 "$log" > "$dir/slice.log"
read -r _ g_rss g_wall < <(timed 1 goaccess "$dir/slice.log" --log-format=COMBINED -o "$dir/goaccess.json")
g_mbs=$(python3 -c "print(round(100/$g_wall, 1))")
echo "goaccess (100 MB slice): wall ${g_wall}s, ${g_mbs} MB/s, peak RSS ${g_rss} MB; tourniquet is $(python3 -c "print(round($tq_mbs/$g_mbs))")x faster"

# gzip: four rotated files decoded in parallel (ISA-L) vs zcat | wc -l.
gzdir="$dir/gz"
if [ ! -s "$gzdir/access.log.4.gz" ]; then
  mkdir -p "$gzdir"
  for i in 1 2 3 4; do head -c 268435456 "$log" | gzip -1 > "$gzdir/access.log.$i.gz" & done
  wait
fi
gz_mb=$(python3 -c "print(round(4*268435456/1e6,1))")
for ((i = 0; i < runs; ++i)); do
  best z 1 bash -c "zcat $gzdir/*.gz | wc -l"
  new_case bench-gz "$gzdir/access.log.1.gz" /var/log/nginx/access.log.1.gz \
    "$gzdir/access.log.2.gz" /var/log/nginx/access.log.2.gz \
    "$gzdir/access.log.3.gz" /var/log/nginx/access.log.3.gz \
    "$gzdir/access.log.4.gz" /var/log/nginx/access.log.4.gz
  best tg 2 "$T" --case "$case" --quiet investigate --only logs --threads 2
done
echo "gzip (4 x 268 MB rotated, wall): zcat | wc -l ${z_wall}s ($(python3 -c "print(round($gz_mb/$z_wall))") MB/s, CPU ${z_secs}s); tourniquet ${tg_wall}s ($(python3 -c "print(round($gz_mb/$tg_wall))") MB/s, CPU ${tg_secs}s per core, peak RSS ${tg_rss} MB): $(python3 -c "print(round($tg_wall/$z_wall, 2))")x the wall time of zcat"

# The same traffic as W3C extended (IIS layout) and as JSON lines (Cloudflare Logpush fields),
# converted from the base log: MB/s of the logs stage on each (wall time, best of the runs).
python3 - "$dir/base.log" "$dir/w3c.log" "$dir/cf.jsonl" <<'PY'
import json, re, sys, calendar, time
pat = re.compile(r'^(\S+) \S+ \S+ \[(\d\d)/(\w+)/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d{4})\] "(\S+) (\S+) (HTTP/[\d.]+)" (\d{3}) (\S+) "([^"]*)" "([^"]*)"')
mon = {m: i for i, m in enumerate(['Jan','Feb','Mar','Apr','May','Jun','Jul','Aug','Sep','Oct','Nov','Dec'], 1)}
w = open(sys.argv[2], 'w'); j = open(sys.argv[3], 'w')
w.write('#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n'
        '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status sc-bytes time-taken\n')
for l in open(sys.argv[1], errors='replace'):
    m = pat.match(l)
    if not m: continue
    ip, d, mo, y, hms, z, meth, uri, ver, st, b, ref, ua = m.groups()
    t = calendar.timegm(time.strptime('%s-%02d-%s %s' % (y, mon[mo], d, hms), '%Y-%m-%d %H:%M:%S'))
    t -= (int(z[1:3]) * 3600 + int(z[3:]) * 60) * (1 if z[0] == '+' else -1)
    stem, _, q = uri.partition('?')
    w.write('%s 10.0.0.4 %s %s %s 443 - %s %s %s %s 0 0 %s 15\n' % (time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(t)), meth, stem, q or '-', ip, ua.replace(' ', '+') or '-', ref.replace(' ', '+') or '-', st, b if b.isdigit() else '-'))
    j.write(json.dumps({'ClientIP': ip, 'ClientRequestMethod': meth, 'ClientRequestURI': uri, 'ClientRequestProtocol': ver, 'EdgeResponseStatus': int(st), 'EdgeResponseBytes': int(b) if b.isdigit() else 0, 'ClientRequestUserAgent': ua, 'ClientRequestReferer': ref, 'EdgeStartTimestamp': t * 1000000000}) + '\n')
PY
for f in w3c.log cf.jsonl; do
  fmb=$(python3 -c "print(round($(stat -c %s "$dir/$f")/1e6, 1))")
  unset f_secs f_rss f_wall
  for ((i = 0; i < runs; ++i)); do
    new_case "bench-$f" "$dir/$f" "/var/log/$f"
    best f 2 "$T" --case "$case" --quiet investigate --only logs --threads 2
  done
  echo "$f ($fmb MB): wall ${f_wall}s, $(python3 -c "print(round($fmb/$f_wall))") MB/s (wall), peak RSS ${f_rss} MB"
done
