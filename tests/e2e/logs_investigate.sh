# investigate (logs stage) on a hand-made rotated set: plain, gzip (two members), zstd,
# bzip2 and a truncated gzip, with attacks the shipped pack must hit, a custom log format,
# and a re-run that must not duplicate anything. Evidence is placed as `collect` would
# (content-addressed objects + evidence_items rows) until collect is on main.
source "$TQ_SOURCE_DIR/tests/e2e/logs_lib.bash"
T="$TOURNIQUET"
mk() {  # ip time request status bytes ua
  printf '%s - - [%s +0200] "%s HTTP/1.1" %s %s "-" "%s"\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
B="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
{
  for i in $(seq 1 200); do mk 192.0.2.$((i % 50)) "12/Oct/2025:10:00:0$((i % 10))" "GET /catalog/p$i.html" 200 1234 "$B"; done
  mk 198.51.100.7 "12/Oct/2025:10:05:00" "POST /rest/V1/guest-carts/abc/estimate-shipping-methods" 200 420 "python-requests/2.31.0"
  mk 198.51.100.7 "12/Oct/2025:10:06:00" "GET /pub/media/wysiwyg/.system/x.php?cmd=id" 200 90 "curl/8.4.0"
  mk 198.51.100.7 "12/Oct/2025:10:07:00" "GET /pub/media/tmp/db.sql.gz" 200 73400320 "curl/8.4.0"
  echo "not a log line"
} > access.log
{
  for i in $(seq 1 100); do mk 192.0.2.9 "11/Oct/2025:09:00:00" "GET /p$i" 200 10 "$B"; done
  mk 203.0.113.66 "11/Oct/2025:09:30:00" "GET /.env" 404 150 "$B"
} > access.log.1
gzip -c access.log.1 > access.log.1.gz
mk 203.0.113.66 "11/Oct/2025:09:31:00" "GET /app/etc/env.php" 404 150 "$B" | gzip -c >> access.log.1.gz
for i in $(seq 1 100); do mk 192.0.2.10 "10/Oct/2025:08:00:00" "GET /q$i" 200 10 "$B"; done > access.log.2
mk 203.0.113.67 "10/Oct/2025:08:30:00" "GET /wp-config.php.bak" 404 1 "$B" >> access.log.2
zstd -q access.log.2 -o access.log.2.zst
bzip2 -k -c access.log.2 > access.log.3.bz2
for i in $(seq 1 3000); do mk 192.0.2.11 "09/Oct/2025:08:00:00" "GET /r$i" 200 10 "$B"; done | gzip -c > full.gz
head -c $(( $(stat -c %s full.gz) / 2 )) full.gz > access.log.4.gz

"$T" init case --name e2e >/dev/null
add_log_evidence case access.log /var/log/nginx/access.log
add_log_evidence case access.log.1.gz /var/log/nginx/access.log.1   # gzip without .gz name
add_log_evidence case access.log.2.zst /var/log/nginx/access.log.2.zst
add_log_evidence case access.log.3.bz2 /var/log/nginx/access.log.3.bz2
add_log_evidence case access.log.4.gz /var/log/nginx/access.log.4.gz

set +e
"$T" --case case --json investigate --threads 2 > out.json 2> err.txt
rc=$?
set -e
[ "$rc" = 3 ] || fail "exit $rc, want 3 (the truncated gzip is an item error): $(cat err.txt)"
grep -q "truncated gzip member after" err.txt || fail "no truncation report: $(cat err.txt)"
q() { sqlite3 case/case.db "$1"; }
hits() { q "SELECT count(*) FROM logs_rule_hit h JOIN evidence_items e ON e.id=h.evidence_id WHERE e.original_path='$1' AND h.line=$2"; }
[ "$(hits /var/log/nginx/access.log 201)" -ge 1 ] || fail "CosmicSting line not hit"
[ "$(hits /var/log/nginx/access.log 202)" -ge 1 ] || fail "webshell line not hit"
[ "$(hits /var/log/nginx/access.log 203)" -ge 1 ] || fail "dump download line not hit"
[ "$(hits /var/log/nginx/access.log.1 101)" -ge 1 ] || fail ".env probe (gzip member 1) not hit"
[ "$(hits /var/log/nginx/access.log.1 102)" -ge 1 ] || fail "env.php probe (gzip member 2) not hit"
[ "$(hits /var/log/nginx/access.log.2.zst 101)" -ge 1 ] || fail "zstd line not hit"
[ "$(hits /var/log/nginx/access.log.3.bz2 101)" -ge 1 ] || fail "bzip2 line not hit"
[ "$(q "SELECT count(*) FROM logs_rule_hit WHERE line <= 200 AND c_ip LIKE '192.0.2.%'")" = 0 ] || fail "benign lines hit"
[ "$(q "SELECT lines, parsed, skipped FROM logs_file f JOIN evidence_items e ON e.id=f.evidence_id WHERE e.original_path='/var/log/nginx/access.log'")" = "204|203|1" ] || fail "access.log counts: $(q 'select * from logs_file')"
[ "$(q "SELECT compression FROM logs_file f JOIN evidence_items e ON e.id=f.evidence_id WHERE e.original_path='/var/log/nginx/access.log.1'")" = gzip ] || fail "gzip not detected by magic"
[ "$(q "SELECT reason || ':' || lines || ':' || example_lines FROM logs_skip s JOIN evidence_items e ON e.id=s.evidence_id WHERE e.original_path='/var/log/nginx/access.log'")" = "format mismatch:1:[204]" ] || fail "skip stats"
q "SELECT read_error FROM logs_file f JOIN evidence_items e ON e.id=f.evidence_id WHERE e.original_path='/var/log/nginx/access.log.4.gz'" | grep -q "truncated gzip member after [0-9]* bytes decompressed" || fail "read_error not stored"
# Rotated set ordered by content time: .4 (9 Oct) first, access.log (12 Oct) last.
[ "$(q "SELECT e.original_path FROM logs_file f JOIN evidence_items e ON e.id=f.evidence_id ORDER BY content_order LIMIT 1")" = /var/log/nginx/access.log.4.gz ] || fail "content order"
[ "$(q "SELECT requests || ',' || bytes FROM logs_client WHERE ip='198.51.100.7'")" = "3,73400830" ] || fail "client aggregate: $(q "select * from logs_client where ip='198.51.100.7'")"
grep -q '"rules_loaded":1[5-9][0-9]' out.json || fail "pack not loaded: $(head -c 300 out.json)"
n1=$(q "SELECT count(*) FROM findings WHERE kind='log.rule_hit'")
[ "$n1" -ge 7 ] || fail "findings: $n1"
# Re-run: same findings, same hits.
"$T" --case case investigate --threads 1 > /dev/null 2>&1 || true
[ "$(q "SELECT count(*) FROM findings WHERE kind='log.rule_hit'")" = "$n1" ] || fail "re-run duplicated findings"
# A custom nginx format given on the command line.
printf '%s\n' 'shop.example 198.51.100.9 [12/Oct/2025:11:00:00 +0200] "GET /.git/config HTTP/1.1" 404 rt=0.001 "curl/8"' > custom.log
"$T" init case2 --name e2e2 >/dev/null
add_log_evidence case2 custom.log /var/log/nginx/custom.log
set +e
"$T" --case case2 investigate --log-format '$host $remote_addr [$time_local] "$request" $status rt=$request_time "$http_user_agent"' > out2.txt 2>&1
set -e
grep -q "nginx-custom" out2.txt || fail "custom format not used: $(cat out2.txt)"
[ "$(sqlite3 case2/case.db "SELECT count(*) FROM logs_rule_hit WHERE uri='/.git/config' AND host='shop.example'")" -ge 1 ] || fail "custom format line not hit"
# A rule on a field outside the taxonomy (a response body), matched in JSON lines through
# --json-field; a misspelt field name is refused, not mapped to nothing.
mkdir -p extra_rules
cat > extra_rules/body.yml <<'YML'
title: Injected Credential Poller In Response
id: 0f0e0d0c-0000-4000-8004-000000000001
status: test
level: critical
logsource:
  category: webserver
detection:
  fn:
    response|contains: 'function lp(){'
  dom:
    response|contains: 'password.focus()'
  condition: fn and dom
YML
{
  echo '{"remote_addr":"203.0.113.5","request":"GET /login HTTP/1.1","status":200,"resp":{"body":"<script>function lp(){ password.focus() }</script>"}}'
  echo '{"remote_addr":"203.0.113.6","request":"GET /login HTTP/1.1","status":200,"resp":{"body":"<p>hello</p>"}}'
} > body.json
"$T" init case3 --name e2e3 >/dev/null
add_log_evidence case3 body.json /var/log/nginx/body.json
set +e
"$T" --case case3 investigate --only logs --rules extra_rules --log-format jsonl --json-field response=resp.body > out3.txt 2>&1
"$T" --case case3 investigate --only logs --rules extra_rules --log-format jsonl --json-field c_ip=remote_addr > out4.txt 2>&1
rc4=$?
set -e
[ "$(sqlite3 case3/case.db "SELECT group_concat(c_ip) FROM logs_rule_hit WHERE rule_title='Injected Credential Poller In Response'")" = 203.0.113.5 ] || fail "response-body rule: $(cat out3.txt)"
[ "$rc4" = 2 ] || fail "misspelt --json-field: exit $rc4, want 2: $(cat out4.txt)"
grep -q "json-field c_ip: not a webserver field" out4.txt || fail "misspelt --json-field not named: $(cat out4.txt)"
echo ok
