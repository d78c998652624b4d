# Same evidence, same answer; a half-finished investigate never looks finished.
# Drills a small store, collects it, runs `investigate` twice and compares every table the
# run writes (row for row; only the columns that record when a row was written are left
# out). The storedb stage once read its breach window from the previous run's attackers
# table, so a second run answered differently. Then:
#  - a stage that fails (an unreadable --pii-map) does not stop the stages after it: the
#    analysis stage still runs, the exit status is the failure's, the stage is named;
#  - a run left unfinished (its last stage started and never ended, as when killed) makes
#    status warn (exit 1) and scope and report refuse (exit 4) until investigate runs again.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
scenario="${REPEAT_SCENARIO:-trojanorder}"  # seed 2 differed before the fix
"$T" drill store --scenario "$scenario" --seed 2 --scale small > /dev/null || fail drill
"$T" init case --name repeat > /dev/null || fail init
for label in logs webroot db; do
  [ -d "store/$label" ] || continue
  "$T" --case case --quiet collect --label "$label" "store/$label" > /dev/null || fail "collect $label"
done
snapshot() { python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" snapshot case "$1"; }
rc=0; "$T" --case case --quiet investigate > /dev/null 2> inv1.err || rc=$?
[ $rc -le 1 ] || { cat inv1.err >&2; fail "investigate exit $rc"; }
snapshot first.json || fail snapshot
rc=0; "$T" --case case --quiet investigate > /dev/null 2> inv2.err || rc=$?
[ $rc -le 1 ] || { cat inv2.err >&2; fail "second investigate exit $rc"; }
snapshot second.json || fail snapshot
python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" compare first.json second.json "investigate twice" \
  "after the first run" "after the second" || fail "the second investigate changed the case"

# A failing stage does not stop the ones after it.
rc=0; "$T" --case case --quiet investigate --only storedb --only analysis --pii-map missing.tsv \
  > /dev/null 2> inv3.err || rc=$?
[ $rc -eq 5 ] || { cat inv3.err >&2; fail "investigate with a bad --pii-map: exit $rc, want 5"; }
grep -q "stage storedb: missing.tsv" inv3.err || { cat inv3.err >&2; fail "failed stage not named"; }
python3 - case/case.db <<'PY' || fail "stages after the failed one did not run"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
run = db.execute("SELECT max(run_id) FROM stage_runs").fetchone()[0]
got = dict(db.execute("SELECT stage, outcome FROM stage_runs WHERE run_id=?", (run,)))
ok = got.get("analysis") == "ok" and got.get("storedb", "ok") != "ok" and None not in got.values()
print(f"stages of the run with a failing stage: {got}")
sys.exit(0 if ok else 1)
PY

# A run whose last stage started and never ended (what kill -9 leaves).
python3 - case/case.db <<'PY' || fail "could not leave a run unfinished"
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
run = db.execute("SELECT max(id) FROM stage_runs").fetchone()[0] + 1
now = int(time.time() * 1e6)
for stage, finished in (("logs", now), ("webroot", now), ("storedb", now), ("analysis", None)):
    db.execute("INSERT INTO stage_runs(run_id,command,stage,pid,started_at,finished_at,outcome) "
               "VALUES(?,?,?,?,?,?,?)", (run, "investigate", stage, 2147483646, now, finished,
                                        "ok" if finished else None))
db.commit()
PY
rc=0; "$T" --case case status > status.out 2> status.err || rc=$?
[ $rc -eq 1 ] || fail "status on an unfinished investigate: exit $rc, want 1"
grep -q "investigate did not finish: stage analysis started" status.out || fail "status did not warn"
rc=0; "$T" --case case scope > scope.out 2> scope.err || rc=$?
[ $rc -eq 4 ] || { cat scope.out scope.err >&2; fail "scope on an unfinished investigate: exit $rc, want 4"; }
grep -q "scope refused: investigate did not finish" scope.err || fail "scope did not say why"
rc=0; "$T" --case case report > report.out 2> report.err || rc=$?
[ $rc -eq 4 ] || fail "report on an unfinished investigate: exit $rc, want 4"
rc=0; "$T" --case case --quiet investigate > /dev/null 2>&1 || rc=$?
[ $rc -le 1 ] || fail "investigate after the unfinished run: exit $rc"
rc=0; "$T" --case case status > status.out 2>&1 || rc=$?
[ $rc -eq 0 ] || { cat status.out >&2; fail "status after a finished run: exit $rc"; }
rc=0; "$T" --case case --quiet scope > /dev/null 2>&1 || rc=$?
[ $rc -le 1 ] || fail "scope after a finished run: exit $rc"
echo "unfinished run: status warned, scope and report refused; after a full run they work"
