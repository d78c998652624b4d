# The case-wide lock of each changing command: while another process holds a command's lock
# (here flock(1) on its file, as a second run would), the command exits 4 at once, names
# itself, and changes nothing; once the holder is gone it runs. A notify send dry run takes
# no lock.
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" init case --name "lock" --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z >/dev/null
make_scope_tables case/case.db  # notify render reads the scope before it locks
mkdir -p src && echo "hello" >src/a.log
mkdir -p case/locks
check() {  # check KIND COMMAND... : refused while KIND is held
  local kind=$1 shown=$2; shift 2
  flock -o "case/locks/$kind.lock" sleep 30 &
  local holder=$!
  for _ in $(seq 50); do flock -n "case/locks/$kind.lock" true 2>/dev/null || break; sleep 0.05; done
  local audit_before
  audit_before=$(sqlite3 case/case.db "SELECT count(*) FROM audit_log")
  set +e
  timeout 20 "$T" --case case "$@" >out.txt 2>err.txt
  local rc=$?
  set -e
  kill $(pgrep -P $holder) $holder 2>/dev/null || true; wait $holder 2>/dev/null || true
  [ $rc -eq 4 ] || fail "$*: exit $rc while $kind is held: $(cat out.txt err.txt)"
  grep -q "another \`$shown\` is running on this case" err.txt || fail "$*: message: $(cat err.txt)"
  [ "$(sqlite3 case/case.db "SELECT count(*) FROM audit_log")" -eq "$audit_before" ] \
    || fail "$*: changed the case while refused"
}
check collect collect collect src
check investigate investigate investigate
check scope scope scope
check contain contain contain
check report report report
check notify-outbox "notify send" notify send --smtp smtp://127.0.0.1:1 --confirm
check notify-outbox "notify render" notify render --from privacy@shop.example
# Released: the same command runs (exit 0 or a finding, never 4).
set +e
"$T" --case case collect src >/dev/null 2>&1
rc=$?
set -e
[ $rc -ne 4 ] || fail "collect still refused after the holder went"
# A dry run of notify send does not need the lock.
flock -o case/locks/notify-outbox.lock sleep 30 &
holder=$!
sleep 0.3
set +e
"$T" --case case notify send --smtp smtp://127.0.0.1:1 >/dev/null 2>err.txt
rc=$?
set -e
kill $(pgrep -P $holder) $holder 2>/dev/null || true; wait $holder 2>/dev/null || true
[ $rc -ne 4 ] || fail "dry run refused by the lock: $(cat err.txt)"
echo PASS
