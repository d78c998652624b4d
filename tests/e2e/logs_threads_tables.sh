# Same evidence, same case, whatever the number of threads: the logs stage on one thread and
# on two writes every table row for row alike. The evidence: a drilled store's rotated set
# (plain and gzip files, merged in input order as the threads finish them) and a plain log
# over 64 MiB (split into ranges, one per thread, whose line numbers, offsets, clients, paths
# and lines out of time order are merged back: a range's in-order lines earlier than the ranges
# before it reached are out of order too).
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
"$T" drill store --scenario woo-stuffing --seed 3 --scale small > /dev/null || fail drill
mkdir big
while [ "$(stat -c %s big/access.log 2> /dev/null || echo 0)" -le $((66 << 20)) ]; do
  cat store/logs/access.log.1 >> big/access.log
done
"$T" init base --name threads > /dev/null || fail init
"$T" --case base --quiet collect --label logs store/logs > /dev/null || fail "collect logs"
"$T" --case base --quiet collect --label logs big > /dev/null || fail "collect big"
for n in 1 2; do
  cp -a base "case$n"
  rc=0; "$T" --case "case$n" --quiet investigate --only logs --threads "$n" > /dev/null \
    2> "inv$n.err" || rc=$?
  [ $rc -le 1 ] || { cat "inv$n.err" >&2; fail "investigate --threads $n: exit $rc"; }
  python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" snapshot "case$n" "t$n.json" || fail snapshot
done
python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" compare t1.json t2.json "logs stage" \
  "on one thread" "on two" || fail "one thread and two wrote different tables"
# The large file was really split, and its clients really merged.
[ "$(sqlite3 case2/case.db "SELECT count(*) FROM logs_file WHERE lines > 200000")" = 1 ] ||
  fail "no large file scanned"
[ "$(sqlite3 case2/case.db "SELECT count(*) FROM logs_client")" -gt 100 ] || fail "no clients"
