# Two `notify send --confirm` at once on one case, 20 times, against a real SMTP server on
# loopback: each letter is delivered exactly once in every round; the run that finds the
# other one holding the case's outbox lock exits 4 and says who holds it (pid, since when).
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
T="$TOURNIQUET"
start_sink "$TQ_TMP/mail"
trap stop_sink EXIT
URL="smtp://127.0.0.1:$SINK_PORT"
$T init case --name "race" --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z \
  --legal-name "Example Shop Ltd" --dpo "dpo@shop.example" >/dev/null
make_scope_tables case/case.db
$PY - case/case.db <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [("customer:%d" % i, "p%d@example.com" % i, "P %d" % i, "DE", "", "de", json.dumps(["email"])) for i in range(8)]
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,reasons) VALUES (?,?,?,?,?,?,?,'[]')", rows)
db.commit()
PYEOF
$T --case case notify render --from privacy@shop.example --no-letter-files >/dev/null
refused=0
for round in $(seq 20); do
  sqlite3 case/case.db "UPDATE notify_outbox SET state='queued', attempts=0 WHERE kind='letter'"
  rm -f "$TQ_TMP"/mail/*.eml
  $T --case case notify send --smtp "$URL" --rate 0 --confirm >a.out 2>a.err &
  a=$!
  $T --case case notify send --smtp "$URL" --rate 0 --confirm >b.out 2>b.err &
  b=$!
  set +e
  wait $a; ra=$?
  wait $b; rb=$?
  set -e
  for rc in $ra $rb; do
    [ $rc -eq 0 ] || [ $rc -eq 4 ] || { echo "FAIL: round $round: exit $rc"; cat a.* b.*; exit 1; }
  done
  [ $ra -eq 0 ] || [ $rb -eq 0 ] || { echo "FAIL: round $round: neither run sent"; cat a.* b.*; exit 1; }
  for side in a b; do
    if grep -q "another" $side.err; then
      refused=$((refused + 1))
      grep -Eq "another \`notify send\` is running on this case since [0-9T:-]+.*, pid [0-9]+" $side.err \
        || { echo "FAIL: unclear refusal"; cat $side.err; exit 1; }
    fi
  done
  letters=$(sqlite3 case/case.db "SELECT count(*) FROM notify_outbox WHERE kind='letter'")
  got=$(grep -h "^X-Envelope-To:" "$TQ_TMP"/mail/*.eml | sort | uniq -c | awk '$1 != 1' | wc -l)
  n=$(ls "$TQ_TMP"/mail/*.eml | wc -l)
  [ "$n" -eq "$letters" ] && [ "$got" -eq 0 ] \
    || { echo "FAIL: round $round: $n deliveries for $letters letters"; grep -h "^X-Envelope-To:" "$TQ_TMP"/mail/*.eml | sort | uniq -c; exit 1; }
  [ "$(sqlite3 case/case.db "SELECT count(*) FROM notify_outbox WHERE kind='letter' AND state!='sent'")" -eq 0 ] \
    || { echo "FAIL: round $round: letters not sent"; exit 1; }
done
echo "20 rounds: each letter once; $refused runs refused by the lock"
echo PASS
