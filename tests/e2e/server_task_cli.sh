# tourniquet task / user: add, assign, start, done, comment, link, post-mortem; users with
# Argon2id hashes and the password never on the command line; every change audited.
T="$TOURNIQUET"
"$T" init case --name cli --timezone Europe/Berlin >/dev/null
export TOURNIQUET_CASE=case
fail() { echo "FAIL: $*"; exit 1; }

"$T" task add "Rotate the crypt key" --phase 1 --due 2099-02-01T10:00:00 | grep -q "Task #1 added" || fail add
"$T" task add "Tell the bank" --phase 3 >/dev/null
"$T" task assign 1 ops-team >/dev/null
"$T" task start 1 >/dev/null
"$T" task comment 1 "key rotated on web1, <b>web2</b> pending" >/dev/null
list=$("$T" --json task list)
grep -q '"owner": "ops-team"' <<<"$list" || fail "owner not set: $list"
grep -q '"status": "in_progress"' <<<"$list" || fail "status not set"
grep -q '"due_at": "2099-02-01T09:00:00Z"' <<<"$list" || fail "due time not read in the case zone: $list"
"$T" task done 1 >/dev/null
"$T" task list | grep -q "Rotate the crypt key" && fail "done task still listed as open"
"$T" task list --all | grep -q "#1 \[done\]" || fail "done task missing from --all"
# Errors: unknown task, bad phase.
if "$T" task assign 99 x 2>err.txt; then fail "assign of an unknown task succeeded"; fi
grep -q "no task #99" err.txt || fail "error text: $(cat err.txt)"
if "$T" task add x --phase 9 2>/dev/null; then fail "phase 9 accepted"; fi
"$T" task link 2 5 2>/dev/null && fail "link to a missing finding succeeded"

# Post-mortem: factor + process failure + action items; both fields required.
"$T" task postmortem --factor "Extension not patched for 9 weeks" \
  --process-failure "No owner for security releases" >/dev/null
"$T" task action 1 "Subscribe ops to vendor bulletins" --owner ops >/dev/null
"$T" --json task postmortem | grep -q '"owner": "ops"' || fail "action item"
if "$T" task postmortem --factor "only a factor" 2>/dev/null; then fail "entry without process failure"; fi

# Users: password from the environment, never argv; Argon2id in the table.
TOURNIQUET_PASSWORD="a-good-password" "$T" user add alice --role investigator >/dev/null
sqlite3 case/case.db "SELECT password_hash FROM server_user WHERE name='alice'" | grep -q '^\$argon2id\$' ||
  fail "hash is not Argon2id"
sqlite3 case/case.db "SELECT detail FROM audit_log" | grep -q "a-good-password" && fail "password in the audit log"
if "$T" user add bob --role lead </dev/null 2>err.txt; then fail "user without password added"; fi
grep -q "TOURNIQUET_PASSWORD" err.txt || fail "no hint about the password: $(cat err.txt)"
if TOURNIQUET_PASSWORD=short "$T" user add bob --role lead 2>/dev/null; then fail "short password"; fi
if TOURNIQUET_PASSWORD=long-enough-1 "$T" user add bob --role admin 2>/dev/null; then fail "role admin"; fi
"$T" user list | grep -q "alice  investigator" || fail "user list"
"$T" --json user roles | grep -q '"affected_list"' || fail "roles"

# Every change is in the audit log.
n=$(sqlite3 case/case.db "SELECT count(*) FROM audit_log WHERE command LIKE 'task %' AND outcome='ok'")
[ "$n" -ge 8 ] || fail "only $n task audit rows"
sqlite3 case/case.db "SELECT outcome FROM audit_log WHERE command='task assign'" | grep -q "failed: no task #99" ||
  fail "failed change not audited"
echo "task/user CLI ok"
