# Same evidence, same case, however the stages are run: on every drill scenario, one
# `investigate` (all stages in one run) and the same evidence investigated stage by stage
# (`--only logs`, then webroot, host, storedb, analysis: one run each) must leave the same rows
# in every table (only the columns that record when a row was written, and the bookkeeping of
# the runs themselves, are left out). The guard for moving work between stages (the analysis
# consuming the logs stage's records instead of reading the logs again): whichever stage does
# it, the answer must not change. A third copy runs the analysis again without the request
# journal the logs stage kept (the logs component then reads the logs once more to build it),
# and a fourth with that journal damaged (the analysis builds it again): the same rows again.
set +e +o pipefail  # commands that report findings exit 1; checked explicitly
T="$TOURNIQUET"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$T" drill --help > /dev/null 2>&1 || exit 77
command -v python3 > /dev/null || exit 77
cd "$TQ_TMP" || exit 1
snapshot() { python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" snapshot "$1" "$2"; }
for scenario in ${STAGES_SCENARIOS:-cosmicsting woo-stuffing trojanorder}; do
  "$T" drill "store-$scenario" --scenario "$scenario" --seed 1 --scale small > /dev/null ||
    fail "drill $scenario"
  "$T" init "all-$scenario" --name stages > /dev/null || fail init
  for label in logs webroot db host; do
    [ -d "store-$scenario/$label" ] || continue
    "$T" --case "all-$scenario" --quiet collect --label "$label" "store-$scenario/$label" \
      > /dev/null || fail "collect $label"
  done
  cp -a "all-$scenario" "each-$scenario"  # the same evidence, collected once
  cp -a "all-$scenario" "again-$scenario"
  cp -a "all-$scenario" "damaged-$scenario"
  rc=0; "$T" --case "all-$scenario" --quiet investigate > /dev/null 2> all.err || rc=$?
  [ $rc -le 1 ] || { cat all.err >&2; fail "$scenario: investigate exit $rc"; }
  for stage in logs webroot host storedb analysis; do
    rc=0; "$T" --case "each-$scenario" --quiet investigate --only "$stage" > /dev/null 2> each.err ||
      rc=$?
    [ $rc -le 1 ] || { cat each.err >&2; fail "$scenario: investigate --only $stage exit $rc"; }
  done
  [ -f "each-$scenario/cache/requests/MANIFEST" ] || fail "$scenario: no request journal kept"
  for stage in logs webroot host storedb; do
    "$T" --case "again-$scenario" --quiet investigate --only "$stage" > /dev/null 2>&1
    "$T" --case "damaged-$scenario" --quiet investigate --only "$stage" > /dev/null 2>&1
  done
  rm -r "again-$scenario/cache/requests"
  "$T" --case "again-$scenario" investigate --only analysis > again.out 2> again.err
  grep -q "the logs were read again for the analysis (no request journal)" again.out ||
    { cat again.out again.err >&2; fail "$scenario: the analysis did not say it read the logs"; }
  seg=$(ls -S "damaged-$scenario"/cache/requests/segment-*.tqj | head -1)  # the largest
  python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0x5a; \
open(p,'wb').write(b)" "$seg"
  "$T" --case "damaged-$scenario" investigate --only analysis > damaged.out 2> damaged.err
  grep -q "the logs were read again for the analysis (request journal .* damaged" damaged.out ||
    { cat damaged.out damaged.err >&2; fail "$scenario: a damaged journal was not built again"; }
  snapshot "all-$scenario" all.json || fail snapshot
  for other in each again damaged; do
    snapshot "$other-$scenario" "$other.json" || fail snapshot
    python3 "$TQ_SOURCE_DIR/tests/e2e/case_tables.py" compare all.json "$other.json" \
      "$scenario ($other)" "in one run" "$other" || fail "$scenario: $other differs"
  done
done
