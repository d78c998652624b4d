# Helpers sourced by tests/e2e/notify_*.sh (not a test: ctest runs only *.sh).
PY=/usr/bin/python3

# make_scope CASE_DB: the scope tables as src/scope writes them (notes/scope-contract.md).
make_scope_tables() {
  sqlite3 "$1" <<'SQL'
CREATE TABLE IF NOT EXISTS scope_person (
  id INTEGER PRIMARY KEY, person_key TEXT UNIQUE NOT NULL, customer_id INTEGER NULL,
  email TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT '', language TEXT NOT NULL DEFAULT '', categories TEXT NOT NULL,
  first_exposure INTEGER NULL, last_exposure INTEGER NULL, reasons TEXT NOT NULL,
  ambiguity TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS scope_count (jurisdiction TEXT NOT NULL, category TEXT NOT NULL,
  people INTEGER NOT NULL, PRIMARY KEY (jurisdiction, category));
SQL
}

# start_sink DIR: starts the aiosmtpd sink on a free loopback port; sets SINK_PORT, SINK_PID.
start_sink() {
  if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
    echo "SKIP: python3-aiosmtpd is not installed"; exit 77
  fi
  SINK_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  PYTHONPATH="$TQ_SOURCE_DIR/tests/e2e" $PY -m aiosmtpd -n -l "127.0.0.1:$SINK_PORT" \
    -c notify_smtp_sink.Sink "$1" >"$1.log" 2>&1 &
  SINK_PID=$!
  for _ in $(seq 300); do
    if $PY -c "import socket; socket.create_connection(('127.0.0.1',$SINK_PORT),0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL: SMTP sink did not start"; cat "$1.log"; exit 1
}

stop_sink() { kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; }

# mail_summary DIR: one line per message: envelope-to, Message-ID, decoded subject, then the
# decoded body lines prefixed with "  | ".
mail_summary() {
  $PY - "$1" <<'PYEOF'
import email, email.policy, glob, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    raw = open(path, "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    print("MSG", msg["X-Envelope-To"], msg["Message-ID"], msg["Subject"])
    for line in msg.get_content().splitlines():
        print("  |", line)
PYEOF
}
