#!/usr/bin/env bash
# Issue 21: web server error logs are evidence. Beside an access log, an nginx and an Apache
# error log (local times, the case in Europe/Berlin) are collected with the logs: they are read
# as format "error" (whatever --log-format says), the error-log rules hit their lines with the
# client the line names, their lines are not counted again as requests of that client, and
# the lines naming the attacker go on the analysis timeline at the right UTC time.
set -euo pipefail
source "$TQ_SOURCE_DIR/tests/e2e/logs_lib.bash"
T="$TOURNIQUET"
command -v sqlite3 >/dev/null || exit 77
mkdir -p logs
A=198.51.100.7
{
  for i in $(seq 1 60); do
    printf '192.0.2.%d - - [12/Oct/2025:10:00:%02d +0200] "GET /catalog/p%d.html HTTP/1.1" 200 1234 "-" "Mozilla/5.0"\n' $((i % 20 + 1)) $((i % 60)) "$i"
  done
  printf '%s - - [12/Oct/2025:10:06:00 +0200] "GET /pub/media/wysiwyg/.system/x.php?cmd=id HTTP/1.1" 200 90 "-" "curl/8.4.0"\n' $A
  printf '%s - - [12/Oct/2025:10:07:00 +0200] "POST /pub/media/wysiwyg/.system/x.php HTTP/1.1" 200 90 "-" "curl/8.4.0"\n' $A
} > logs/access.log
cat > logs/error.log <<EOL
2025/10/12 10:00:00 [notice] 1#1: signal process started
2025/10/12 10:06:00 [error] 7#7: *41 FastCGI sent in stderr: "PHP message: PHP Warning:  Undefined array key "c" in /var/www/html/pub/media/wysiwyg/.system/x.php on line 2" while reading response header from upstream, client: $A, server: shop.example, request: "GET /pub/media/wysiwyg/.system/x.php?cmd=id HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "shop.example"
2025/10/12 10:08:00 [alert] 1#1: worker process 4243 exited on signal 11 (core dumped)
EOL
cat > logs/apache-error.log <<EOL
[Sun Oct 12 10:09:00.250000 2025] [php:error] [pid 35709:tid 1] [client $A:40112] PHP Fatal error:  Uncaught Error: Call to undefined function x() in /var/www/html/pub/media/wysiwyg/.system/x.php:3
EOL
"$T" init case --name "error logs" --timezone Europe/Berlin >/dev/null
"$T" --case case collect --label logs logs >/dev/null
set +e
"$T" --case case investigate --log-format combined >out.txt 2>err.txt
rc=$?
set -e
[[ $rc == 1 ]] || { cat out.txt err.txt >&2; fail "investigate exit $rc (want 1: findings)"; }
q() { sqlite3 -separator '|' case/case.db "$1"; }
[[ $(q "SELECT f.format FROM logs_file f JOIN evidence_items e ON e.id = f.evidence_id WHERE CAST(e.original_path AS TEXT) IN ('error.log', 'logs/error.log')") == error ]] ||
  fail "error.log not read as an error log"
[[ $(q "SELECT f.parsed FROM logs_file f JOIN evidence_items e ON e.id = f.evidence_id WHERE CAST(e.original_path AS TEXT) LIKE '%apache-error.log'") == 1 ]] ||
  fail "apache-error.log not parsed"
# PHP run from the media directory: the nginx line (line 2) and the Apache line, with the client.
hits=$(q "SELECT CAST(e.original_path AS TEXT) || ':' || h.line || ':' || h.c_ip || ':' || h.time FROM logs_rule_hit h
          JOIN evidence_items e ON e.id = h.evidence_id
          WHERE h.rule_id = '3f4947f4-fdc6-4c4f-b342-416d8d2c67dd' ORDER BY 1")
echo "$hits"
grep -q "apache-error.log:1:$A:1760256540250000" <<<"$hits" || fail "Apache line not hit at 08:09:00.25 UTC"
grep -Eq "(^|/)error.log:2:$A:1760256360000000" <<<"$hits" || fail "nginx line not hit at 08:06:00 UTC"
[[ $(q "SELECT count(*) FROM logs_rule_hit WHERE rule_id = '83c83566-5f36-43f7-84fd-cb317cb8163a'") == 1 ]] ||
  fail "worker crash not hit"
# The error lines repeat requests: the client's request total is the access log's.
[[ $(q "SELECT requests FROM logs_client WHERE ip = '$A'") == 2 ]] || fail "error lines counted as requests"
# On the timeline, by the attacker's address, at UTC.
rows=$(q "SELECT time || '|' || CAST(evidence_path AS TEXT) FROM analysis_timeline
          WHERE CAST(evidence_path AS TEXT) LIKE '%error.log' ORDER BY time")
echo "$rows"
grep -Eq "^1760256360000000\|(.*/)?error.log$" <<<"$rows" || fail "nginx error line not on the timeline"
echo ok
