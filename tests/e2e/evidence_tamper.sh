#!/usr/bin/env bash
# verify finds each kind of tampering, names it precisely and exits 7; an untouched case
# verifies with exit 0. Every verify leaves a custody record.
T="$TOURNIQUET"
mkdir -p src/app/etc src/pub/media
printf '<?php return [];\n' > src/app/etc/env.php
printf '<?php echo 1;\n' > src/index.php
printf 'GIF89a<?php system($_GET[c]); ?>\n' > src/pub/media/x.php
for i in 1 2 3 4 5; do printf 'line %s\n' "$i" > "src/f$i.txt"; done
"$T" init case --name tamper >/dev/null
"$T" --case case collect --label webroot src >collect.out
key=$(sed -n 's/^Manifest public key: *//p' collect.out)
fp=$(sed -n 's/^Manifest fingerprint: *\([0-9a-f]*\).*/\1/p' collect.out)
[ ${#key} -eq 64 ] && [ ${#fp} -eq 64 ]
"$T" --case case verify --pubkey "$key" --fingerprint "$fp" >ok.out
grep -q '^OK: ' ok.out

expect_tamper() {  # name kind pattern: verify a copy must exit 7 and report kind + pattern
  local dir="$1" kind="$2" pattern="$3" rc=0
  shift 3
  "$T" --case "$dir" verify "$@" >"$dir.out" 2>&1 || rc=$?
  if [ "$rc" -ne 7 ]; then echo "$dir: exit $rc, want 7"; cat "$dir.out"; exit 1; fi
  if ! grep -q "TAMPERED \[$kind\].*$pattern" "$dir.out"; then
    echo "$dir: no [$kind] matching '$pattern'"; cat "$dir.out"; exit 1
  fi
}
obj=$(find case/evidence/objects -type f | head -1)
sha=$(basename "$obj")
line_of() { grep -n "$1" case/evidence/manifest.tqm | head -1 | cut -d: -f1; }

# 1. A flipped byte in an object.
cp -a case c1
chmod u+w "c1/${obj#case/}"
printf 'X' | dd of="c1/${obj#case/}" bs=1 seek=0 count=1 conv=notrunc 2>/dev/null
expect_tamper c1 object_modified "object $sha .*modified"

# 2. A removed object.
cp -a case c2
rm -f "c2/${obj#case/}"
expect_tamper c2 object_missing "object $sha .*missing"

# 3. An edited manifest line (the path of x.php changed), signature no longer matches.
cp -a case c3
n=$(line_of 'pub/media/x.php')
sed -i "${n}s#pub/media/x.php#pub/media/y.php#" c3/evidence/manifest.tqm
expect_tamper c3 line_edited "manifest line $n .*edited"

# 4. Two lines swapped.
cp -a case c4
awk 'NR==3{l3=$0; next} NR==4{print; print l3; next} {print}' case/evidence/manifest.tqm \
  > c4/evidence/manifest.tqm
expect_tamper c4 line_order "manifest line 3 holds record 4 where record 3 belongs"

# 5. A line removed in the middle, and lines cut from the end.
cp -a case c5
sed -i '5d' c5/evidence/manifest.tqm
expect_tamper c5 lines_removed "records 5..5 are missing before line 5"
cp -a case c6
total=$(wc -l < case/evidence/manifest.tqm)
head -n $((total - 2)) case/evidence/manifest.tqm > c6/evidence/manifest.tqm
expect_tamper c6 lines_removed "removed from its end"
# ... and the fingerprint written down no longer in the chain.
expect_tamper c6 lines_removed "fingerprint $fp .*rewritten or cut" --fingerprint "$fp"

# 6. The case database edited to point an item at other content.
cp -a case c7
sqlite3 c7/case.db "UPDATE evidence_items SET sha256='$(printf x | sha256sum | cut -c1-64)' WHERE original_path=CAST('index.php' AS BLOB)"
expect_tamper c7 database_mismatch "index.php.*differs from manifest line"

# 7. A manifest re-signed with another key: the key written down catches it.
expect_tamper case key_mismatch "not the expected" --pubkey "$(printf '%064d' 0)"

# Each verify left a custody record; failed ones say so.
"$T" --case c1 custody --format csv > custody.csv
grep -q '"verify",.*"failed: 1 problems"' custody.csv
grep -q '"collect",' custody.csv
"$T" --case case --json custody > custody.json
python3 -c 'import json,sys; d=json.load(open("custody.json")); a=[r["action"] for r in d["custody"]]; sys.exit(0 if a[0]=="collect" and "verify" in a else 1)'
echo "tamper: all detected"
