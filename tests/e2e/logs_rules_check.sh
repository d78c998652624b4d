# rules check: the shipped pack loads completely; a broken directory lists each problem with
# file and line, and the exit status says so.
source "$TQ_SOURCE_DIR/tests/e2e/logs_lib.bash"
"$TOURNIQUET" rules check "$TQ_SOURCE_DIR/rules/sigma" > out.txt || fail "pack: $(tail -3 out.txt)"
grep -Eq '^1[5-9][0-9] rules loaded, 0 skipped' out.txt || fail "$(tail -1 out.txt)"
"$TOURNIQUET" --json rules check "$TQ_SOURCE_DIR/rules/sigma" > out.json || fail "json exit"
grep -q '"skipped": 0' out.json || fail "json"
mkdir bad
printf 'title: [x\n' > bad/a.yml
printf 'title: b\nlogsource:\n  category: webserver\ndetection:\n  s:\n    cs-method: GET\n  condition: s and\n' > bad/b.yml
set +e
"$TOURNIQUET" rules check bad > bad.txt
rc=$?
set -e
[ "$rc" = 3 ] || fail "exit $rc"
grep -q "^skipped  bad/a.yml:2: not YAML" bad.txt || fail "$(cat bad.txt)"
grep -q "^skipped  bad/b.yml:7: b: condition col 6: condition ends too early" bad.txt || fail "$(cat bad.txt)"
echo ok
