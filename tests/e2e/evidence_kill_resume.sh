#!/usr/bin/env bash
# Nothing lost: collect killed with SIGKILL (mid-way through storing objects, and between a
# committed batch (the first: at most 1,000 items) and its manifest lines reaching the file), then run again, ends with no
# duplicate items, the same manifest item entries as an uninterrupted run, and a clean verify.
T="$TOURNIQUET"
mkdir -p src
for d in $(seq 1 15); do
  mkdir -p "src/d$d"
  for f in $(seq 1 100); do printf 'file %s/%s\n%0200d\n' "$d" "$f" "$f" > "src/d$d/f$f.log"; done
done
printf 'same\n' > src/dup1; printf 'same\n' > src/dup2   # deduplicated objects

# The entries of a manifest, without the run-specific fields (seq, prev, batch, time, sig).
entries() { awk -F'\t' '$4=="item" { $1=$2=$3=$5=$6=""; NF=NF-1; print }' "$1/evidence/manifest.tqm" | sort; }

"$T" init ref --name ref >/dev/null
"$T" --case ref collect --label logs src >/dev/null
entries ref > ref.entries
[ "$(wc -l < ref.entries)" -eq 1518 ]   # root + 15 dirs + 1500 files + 2

for kill in objects:1300 commit:1; do
  rm -rf case; "$T" init case --name killed >/dev/null
  rc=0
  TQ_EVIDENCE_TEST_KILL=$kill "$T" --case case collect --label logs src >/dev/null 2>&1 || rc=$?
  if [ "$rc" -ne 137 ]; then echo "$kill: collect was not killed (exit $rc)"; exit 1; fi
  before=$(sqlite3 case/case.db 'SELECT count(*) FROM evidence_items')
  if [ "$before" -ge 1518 ]; then echo "$kill: killed run already had everything"; exit 1; fi
  "$T" --case case --json collect --label logs src > resumed.json
  entries case > case.entries
  if ! diff -q ref.entries case.entries >/dev/null; then
    echo "$kill: manifest entries differ from the uninterrupted run"; diff ref.entries case.entries | head; exit 1
  fi
  [ "$(sqlite3 case/case.db 'SELECT count(*) FROM evidence_items')" -eq 1518 ]
  [ "$(sqlite3 case/case.db 'SELECT count(*) FROM (SELECT DISTINCT source, original_path, label FROM evidence_items)')" -eq 1518 ]
  # Every object the rows name is there and complete; no temporary files left behind.
  "$T" --case case verify > verify.out || { cat verify.out; exit 1; }
  [ -z "$(find case/evidence/tmp -type f)" ]
  # The killed run's batch does not stay 'running': the resumed collect marked it.
  [ "$(sqlite3 case/case.db "SELECT count(*) FROM evidence_batches WHERE state='running'")" -eq 0 ] \
    || { echo "$kill: a batch still running"; exit 1; }
  [ "$(sqlite3 case/case.db "SELECT count(*) FROM evidence_batches WHERE state='interrupted'")" -eq 1 ] \
    || { echo "$kill: the killed batch is not marked interrupted"; exit 1; }
  if [ "$kill" = commit:1 ]; then
    grep -q '"manifest_repaired": [1-9]' resumed.json || { echo "commit kill: nothing repaired"; cat resumed.json; exit 1; }
  fi
  # Idempotent: one more run adds nothing.
  "$T" --case case --json collect --label logs src > again.json
  grep -q '"items_added": 0' again.json
  grep -q '"already_present": 1518' again.json
  echo "$kill: killed with $before items, resumed to 1518"
done
