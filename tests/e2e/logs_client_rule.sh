# The client rule end to end: a drilled store's access logs (with its web root and database),
# logged plainly, then the same
# traffic with every line wrapped in quotes, with a vhost prefix (`%v:%p`), and behind a load
# balancer (nginx `main` format: the balancer's private address as the peer, the client in
# X-Forwarded-For). Each variant must yield the same attackers and the same blocklists as the
# plain log. A wrong --log-format, and a file nothing reads, exit 3 naming the file, the share
# parsed, the format tried and the format that reads it best.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
"$T" drill store --scenario cosmicsting --seed 3 --scale small > /dev/null || fail drill
# The access logs as plain text (rotated members decompressed), in one file per member.
mkdir -p plain
for f in store/logs/*; do
  b=$(basename "$f")
  case "$b" in
    *error*) continue ;;
    *.gz) gzip -dc "$f" > "plain/${b%.gz}" ;;
    *.zst) zstd -qdc "$f" > "plain/${b%.zst}" ;;
    *) cp "$f" "plain/$b" ;;
  esac
done
ls plain/* > /dev/null 2>&1 || fail "no access logs drilled"
grep -q '^[0-9a-f.:]* - ' plain/* || fail "drilled logs are not combined: $(head -c 200 plain/*)"
mkdir -p quoted vhost xff
for f in plain/*; do
  b=$(basename "$f")
  sed 's/.*/"&"/' "$f" > "quoted/$b"
  sed 's/^/shop.example:443 /' "$f" > "vhost/$b"
  # nginx main: $remote_addr ... "$http_user_agent" "$http_x_forwarded_for"
  awk '{ ip = $1; $1 = "10.0.0.5"; print $0 " \"203.0.113.250, " ip "\"" }' "$f" > "xff/$b"
done
run() {  # variant -> attackers and blocklist in $1.result
  local v="$1" c="case-$1"
  "$T" init "$c" --name "$v" > /dev/null || fail "init $v"
  "$T" --case "$c" --quiet collect --label logs "$v" > /dev/null || fail "collect $v"
  # The web root and database as drilled: attribution needs them beside the logs.
  "$T" --case "$c" --quiet collect --label webroot store/webroot > /dev/null || fail "collect webroot"
  [ -d store/db ] && { "$T" --case "$c" --quiet collect --label db store/db > /dev/null || fail "collect db"; }
  "$T" --case "$c" --quiet investigate > "$v.out" 2> "$v.err"; local rc=$?
  [ $rc -le 1 ] || fail "investigate $v exit $rc: $(cat "$v.err")"
  "$T" --case "$c" contain --json > "$v.contain.json" 2>&1 || fail "contain $v: $(head -c 300 "$v.contain.json")"
  {
    sqlite3 "$c/case.db" "SELECT address FROM attacker_addresses ORDER BY address"
    echo "--"
    grep '^deny ' "$c/reports/contain/blocklist-nginx.conf" | sort
  } > "$v.result"
}
for v in plain quoted vhost xff; do run "$v"; done
[ "$(sed -n '/--/q;p' plain.result | wc -l)" -ge 1 ] || fail "no attackers in the plain log"
grep -q '^deny ' plain.result || fail "no blocklist from the plain log"
for v in quoted vhost xff; do
  diff plain.result "$v.result" > "$v.diff" || fail "$v differs from plain: $(head -20 "$v.diff")"
done
grep -q '10.0.0.5' xff.result && fail "the load balancer was blocked"
grep -q '203.0.113.250' xff.result && fail "a spoofed X-Forwarded-For entry was believed"

# A wrong --log-format: exit 3, the file, the share, the format tried, the best format.
"$T" --case case-plain --quiet investigate --log-format common > wrong.out 2> wrong.err; rc=$?
[ $rc = 3 ] || fail "wrong --log-format: exit $rc, want 3"
grep -q 'parsed 0 of [0-9]* lines (0.0%) as common; combined reads it best' wrong.err ||
  fail "wrong --log-format message: $(cat wrong.err)"
# A file nothing reads.
"$T" init case-junk --name junk > /dev/null
mkdir -p junk && for i in $(seq 1 20); do echo "random text $i"; done > junk/access.log
"$T" --case case-junk --quiet collect --label logs junk > /dev/null || fail "collect junk"
"$T" --case case-junk --quiet investigate > junk.out 2> junk.err; rc=$?
[ $rc = 3 ] || fail "unreadable log: exit $rc, want 3"
grep -q 'access.log: parsed 0 of 20 lines (0.0%) as combined; no built-in format reads it' junk.err ||
  fail "unreadable log message: $(cat junk.err)"
exit 0
