# Fault injection under the whole `investigate` (every stage, as the binary runs them): the
# Nth write, then the Nth sync, of any file in the case folder fails with EIO (and every one
# after it), through tests/fault/fail_nth.c loaded with LD_PRELOAD. After each failed run:
#  - the command exits with an error of the README's table (4 or 5: never 3, bad input, as the
#    evidence is sound), says what failed, and is never killed by a signal or an internal
#    error (70);
#  - the case passes SQLite's `PRAGMA integrity_check`;
#  - `status` does not call the failed run finished;
#  - a rerun without faults gives exactly the tables of a run that never failed, and
#    `verify` (which adds a custody row, so after the comparison) finds the evidence intact.
# Every N for syncs. For writes, make test runs every N up to 5 and then every 50th (a run
# takes about a second a time); FAULT_EVERY=1 sweeps every N (about 280 runs, minutes).
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
lib="${TQ_BUILD_DIR:-}/tests/libtq_fail_nth.so"
[ -f "$lib" ] || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
every="${FAULT_EVERY:-50}"

# A tiny store: one access log (a webshell upload and a dump download among normal
# requests), a web root with the webshell, a Magento dump with customers and a backdoor admin.
mkdir -p ev/logs ev/www/pub/media ev/db
for i in $(seq 10 30); do
  echo "198.51.100.7 - - [02/Mar/2026:10:00:$i +0000] \"GET /catalog/product/view/id/$i HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\""
done > ev/logs/access.log
cat >> ev/logs/access.log <<'EOF'
203.0.113.9 - - [02/Mar/2026:10:01:00 +0000] "GET /admin/ HTTP/1.1" 200 900 "-" "python-requests/2.31"
203.0.113.9 - - [02/Mar/2026:10:01:05 +0000] "POST /pub/media/x.php HTTP/1.1" 200 120 "-" "python-requests/2.31"
203.0.113.9 - - [02/Mar/2026:10:01:09 +0000] "GET /pub/media/x.php?c=id HTTP/1.1" 200 64 "-" "python-requests/2.31"
203.0.113.9 - - [02/Mar/2026:10:02:00 +0000] "GET /var/backups/db.sql.gz HTTP/1.1" 200 8800000 "-" "python-requests/2.31"
EOF
printf '<?php require __DIR__ . "/app/bootstrap.php";\n' > ev/www/index.php
printf '<?php @eval(base64_decode($_POST["c"]));\n' > ev/www/pub/media/x.php
cat > ev/db/dump.sql <<'EOF'
CREATE TABLE `customer_entity` (`entity_id` int NOT NULL, `email` varchar(255), `firstname` varchar(255), `lastname` varchar(255), `created_at` timestamp, PRIMARY KEY (`entity_id`));
INSERT INTO `customer_entity` VALUES (1,'ann@example.com','Ann','Lee','2025-01-01 00:00:00'),(2,'bob@example.org','Bob','Ray','2025-02-01 00:00:00');
CREATE TABLE `admin_user` (`user_id` int NOT NULL, `username` varchar(40), `email` varchar(128), `created` timestamp, PRIMARY KEY (`user_id`));
INSERT INTO `admin_user` VALUES (1,'owner','owner@example.com','2024-01-01 00:00:00'),(2,'sysupdate','x@example.net','2026-03-02 10:01:30');
EOF
"$T" init template --name fault --platform magento > /dev/null || fail init
for label in logs webroot db; do
  dir=$label; [ $label = webroot ] && dir=www
  "$T" --case template --quiet collect --label $label ev/$dir > /dev/null || fail "collect $label"
done

snapshot() { python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" snapshot "$1" "$2"; }
integrity() {
  python3 - "$1/case.db" <<'PY'
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchall()
sys.exit(0 if r == [("ok",)] else (print(r, file=sys.stderr) or 1))
PY
}

cp -R template clean
rc=0; "$T" --case clean --quiet investigate > /dev/null 2> clean.err || rc=$?
[ $rc -le 1 ] || { cat clean.err >&2; fail "investigate without faults: exit $rc"; }
snapshot clean want.json || fail snapshot
python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" compare want.json want.json clean "" "" \
  || fail "the clean run recorded no finding: the test would mean nothing"

# One run with the Nth operation of kind $1 failing. Prints "fired" or "clean".
run_faulted() {
  local op=$1 n=$2 dir="c_${1}_$2"
  rm -rf "$dir"; cp -R template "$dir"
  local rc=0
  LD_PRELOAD="$lib" TQ_FAULT_DIR="$PWD/$dir" TQ_FAULT_OP=$op TQ_FAULT_NTH=$n TQ_FAULT_COUNT=$count \
    TQ_FAULT_REPORT="$PWD/$dir.rep" "$T" --case "$dir" --quiet investigate $only > /dev/null \
    2> "$dir.err" || rc=$?
  local fired=0; [ -f "$dir.rep" ] && fired=$(awk '{print $2}' "$dir.rep")
  if [ "$fired" != 1 ]; then
    [ $rc -le 1 ] || { cat "$dir.err" >&2; fail "$op $n: exit $rc without a fault"; }
    echo clean; rm -rf "$dir" "$dir".*; return
  fi
  case $rc in
    0|1) ;;  # the failed write was retried or was not needed: the run may still succeed
    # The evidence is sound: a failed write to the case is never its bad input (3).
    4|5) [ -s "$dir.err" ] || fail "$op $n: exit $rc with nothing said" ;;
    3) cat "$dir.err" >&2; fail "$op $n: exit 3 (bad input) for a failed write to the case" ;;
    *) cat "$dir.err" >&2; fail "$op $n: exit $rc (a signal or an internal error)" ;;
  esac
  integrity "$dir" || fail "$op $n: integrity_check after the fault"
  if [ $rc -ge 3 ]; then  # a failed run is never shown as a finished investigation
    "$T" --case "$dir" status > "$dir.status" 2>&1
    if grep -q '\[x\] investigation' "$dir.status" && ! grep -q 'did not finish' "$dir.status"; then
      cat "$dir.status" >&2; fail "$op $n: status calls the failed investigate finished"
    fi
  fi
  rc=0; "$T" --case "$dir" --quiet investigate > /dev/null 2> "$dir.err2" || rc=$?
  [ $rc -le 1 ] || { cat "$dir.err2" >&2; fail "$op $n: rerun exit $rc"; }
  snapshot "$dir" "$dir.json" || fail snapshot
  python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" compare want.json "$dir.json" "$op $n" \
    "in a clean run" "after the fault" > /dev/null || fail "$op $n: the rerun differs from a clean run"
  rc=0; "$T" --case "$dir" --quiet verify > "$dir.verify" 2>&1 || rc=$?
  [ $rc -eq 0 ] || { cat "$dir.verify" >&2; fail "$op $n: verify after the fault and the rerun, exit $rc"; }
  echo fired; rm -rf "$dir" "$dir".*
}

# Whole runs with a disk that stays bad; then the store database stage alone with one failed
# write (a disk full for a moment): the stage itself must fail, not pass the case's failed
# write off as the dump's bad input with the stage recorded as done.
only=""; count=0
for op in sync write storedb-write; do
  [ $op = storedb-write ] && { op=write; only="--only storedb"; count=1; }
  n=1; runs=0
  while :; do
    r=$(run_faulted $op $n) || exit 1
    [ "$r" = clean ] && break
    runs=$((runs + 1))
    # The stage alone makes about 150 writes, a fifth of them its own rows: every 11th.
    if [ $op = sync ] || [ $n -lt 5 ]; then n=$((n + 1)); elif [ -n "$only" ]; then n=$((n + 11))
    else n=$((n + every)); fi
  done
  echo "investigate $only: $runs runs with a failed $op (N up to $((n - 1)), ${count/#0/all} failing), each recovered to the clean tables"
  [ $runs -gt 0 ] || fail "no $op was ever faulted"
done
