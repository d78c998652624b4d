# Whole-command notify benchmark: `notify render` for 100,000 affected people (letters into
# the outbox) and `notify send` of 10,000 of them to a local SMTP sink (aiosmtpd).
# Sizes: NOTIFY_BENCH_PEOPLE (default 100000), NOTIFY_BENCH_SEND (default 10000).
set -euo pipefail
: "${TOURNIQUET:?}" "${TQ_SOURCE_DIR:?}"
PEOPLE=${NOTIFY_BENCH_PEOPLE:-100000}
SEND=${NOTIFY_BENCH_SEND:-10000}
TQ_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tq-notify-bench.XXXXXX")
trap 'stop_sink 2>/dev/null; rm -rf "$TQ_TMP"' EXIT
cd "$TQ_TMP"
source "$TQ_SOURCE_DIR/tests/e2e/notify_lib.bash"
$TOURNIQUET init case --name bench --store-url https://shop.example --discovered-at 2026-03-02T15:00:00Z \
  --legal-name "Example Shop Ltd" --dpo "dpo@shop.example" >/dev/null
make_scope_tables case/case.db
$PY - case/case.db "$PEOPLE" <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
langs = ["en", "de", "fr", "es", "it"]
cats = [["email", "name", "payment_card"], ["email", "password_hash"], ["email", "name", "order_history", "postal_address"]]
places = [("US", "CA"), ("US", "TX"), ("DE", ""), ("FR", ""), ("GB", ""), ("CA", "ON"), ("BR", ""), ("AU", "NSW")]
db.executemany("INSERT INTO scope_person(person_key,email,name,country,region,language,categories,reasons) VALUES (?,?,?,?,?,?,?,'[]')",
  (("customer:%07d" % i, "p%07d@example.com" % i, "Person %d" % i, places[i % 8][0], places[i % 8][1], langs[i % 5], json.dumps(cats[i % 3])) for i in range(n)))
db.commit()
PYEOF
# Everyone consented to e-mail (data/jurisdictions/letters.txt): the benchmark is SMTP.
sqlite3 case/case.db "SELECT person_key FROM scope_person" >consented.txt
$TOURNIQUET --case case notify consent --kind esign --file consented.txt >/dev/null
t0=$(date +%s.%N)
$TOURNIQUET --case case notify plan >/dev/null || true
t1=$(date +%s.%N)
$TOURNIQUET --case case notify render --from privacy@shop.example --no-letter-files >/dev/null
t2=$(date +%s.%N)
echo "notify plan:   $PEOPLE people in $(echo "$t1 - $t0" | bc) s"
echo "notify render: $PEOPLE letters into the outbox in $(echo "$t2 - $t1" | bc) s ($(echo "$PEOPLE / ($t2 - $t1)" | bc) letters/s)"
start_sink "$TQ_TMP/mail"
# Default durability (one fsync per message), then --no-fsync with 4 connections.
FSYNC_N=$((SEND / 5))
for mode in "fsync:$FSYNC_N:--connections 1" "no-fsync:$SEND:--connections 4 --no-fsync"; do
  IFS=: read -r name n flags <<<"$mode"
  out=$($TOURNIQUET --case case notify send --smtp "smtp://127.0.0.1:$SINK_PORT" --rate 0 \
    --limit "$n" $flags --confirm --json || true)
  set -- $(echo "$out" | $PY -c 'import json,sys; r=json.load(sys.stdin); print(r["sent"], "%.2f" % r["seconds"], "%.0f" % (r["sent"]/r["seconds"]))')
  echo "notify send ($name, $flags): $1 messages in $2 s ($3 messages/s) to aiosmtpd on loopback"
done
got=$(ls "$TQ_TMP/mail" | grep -c eml || true)
dups=$(cat "$TQ_TMP"/mail/*.eml | grep -i '^Message-ID:' | sort | uniq -d | wc -l)
echo "server received $got messages, $dups duplicate Message-IDs"
