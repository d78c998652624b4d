#!/usr/bin/env bash
# Hostile sources: traversal and absolute member names, symlink loops, a zip bomb,
# unreadable and special files, names with newlines and invalid UTF-8, archives in every
# supported form and a tar stream on stdin. Each is collected without harm and verifies.
T="$TOURNIQUET"
q() { sqlite3 case/case.db "$1"; }
"$T" init case --name hostile >/dev/null
passwd_before=$(sha256sum /etc/passwd)

# 1. Archive members named ../../etc/passwd and /etc/shadow: stored as data only.
python3 - <<'PY'
import io, tarfile, zipfile
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
with tarfile.open("evil.tar.gz", "w:gz") as t:
    add(t, "../../etc/passwd", b"root::0:0:pwned:/root:/bin/sh\n")
    add(t, "/etc/shadow", b"root:pwned:1::::::\n")
    add(t, "ok/index.php", b"<?php echo 1;\n")
with zipfile.ZipFile("evil.zip", "w") as z:
    z.writestr("../../../tmp/zip-escape", b"escaped\n")
PY
rc=0; "$T" --case case collect --label webroot evil.tar.gz evil.zip >out1 || rc=$?
[ "$rc" -eq 0 ] || { cat out1; exit 1; }
[ "$(sha256sum /etc/passwd)" = "$passwd_before" ]
[ ! -e /tmp/zip-escape ]
[ "$(q "SELECT count(*) FROM evidence_items WHERE original_path=CAST('../../etc/passwd' AS BLOB) AND kind='file'")" -eq 1 ]
[ "$(q "SELECT count(*) FROM evidence_items WHERE original_path=CAST('/etc/shadow' AS BLOB) AND size=19")" -eq 1 ]
[ "$(q "SELECT count(*) FROM evidence_items WHERE original_path=CAST('../../../tmp/zip-escape' AS BLOB)")" -eq 1 ]

# 2. Symlink loops and a symlink out of the tree: recorded with their targets, never followed.
mkdir -p loops/sub
ln -s b loops/a; ln -s a loops/b; ln -s . loops/self; ln -s .. loops/sub/up; ln -s /etc loops/etc
timeout 60 "$T" --case case collect --label other loops >out2
[ "$(q "SELECT count(*) FROM evidence_items WHERE CAST(source AS TEXT) LIKE '%/loops' AND kind='symlink'")" -eq 5 ]
[ "$(q "SELECT CAST(symlink_target AS TEXT) FROM evidence_items WHERE original_path=CAST('self' AS BLOB)")" = "." ]
[ "$(q "SELECT count(*) FROM evidence_items WHERE CAST(source AS TEXT) LIKE '%/loops' AND original_path LIKE 'etc/%'")" -eq 0 ]

# 3. A zip bomb: 200 MB of zeros in a ~200 KB zip; skipped, reported with the member's name.
python3 - <<'PY'
import zipfile
with zipfile.ZipFile("bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("fine.txt", b"hello\n")
    with z.open("payload/bomb.bin", "w") as f:
        block = bytes(1 << 20)
        for _ in range(200): f.write(block)
PY
rc=0; "$T" --case case collect --label other bomb.zip >out3 || rc=$?
[ "$rc" -eq 3 ] || { echo "zip bomb: exit $rc, want 3"; cat out3; exit 1; }
grep -q 'problem: .*bomb.zip payload/bomb.bin: possible zip bomb: expands more than 250:1' out3
[ "$(q "SELECT kind FROM evidence_items WHERE original_path=CAST('payload/bomb.bin' AS BLOB)")" = skipped ]
[ "$(q "SELECT kind FROM evidence_items WHERE original_path=CAST('fine.txt' AS BLOB)")" = file ]
# The size limit too.
rm -rf case2; "$T" init case2 --name limit >/dev/null
rc=0; "$T" --case case2 collect --max-member-bytes 1000000 --max-ratio 100000 bomb.zip >out3b || rc=$?
[ "$rc" -eq 3 ] && grep -q 'payload/bomb.bin: possible zip bomb: expands past the size limit' out3b

# 4. Unreadable files: recorded as skipped, not fatal. Tests run as root, who reads every
# file, so the open is made to fail by the test hook; then, when setpriv is there, for real
# as user nobody on a mode-000 file. A FIFO is recorded as a special file and never opened.
mkdir -p unread
printf 'secret\n' > unread/secret.txt; printf 'fine\n' > unread/fine.txt; mkfifo unread/pipe
rc=0; TQ_EVIDENCE_TEST_EACCES=secret.txt "$T" --case case collect --label other unread >out4 || rc=$?
[ "$rc" -eq 3 ] && grep -q 'secret.txt: cannot open: Permission denied' out4
[ "$(q "SELECT kind||'|'||skip_reason FROM evidence_items WHERE original_path=CAST('secret.txt' AS BLOB)")" = "skipped|cannot open: Permission denied" ]
[ "$(q "SELECT kind||'|'||skip_reason FROM evidence_items WHERE original_path=CAST('pipe' AS BLOB)")" = "special|named pipe (FIFO): not read" ]
[ "$(q "SELECT kind FROM evidence_items WHERE original_path=CAST('fine.txt' AS BLOB) AND CAST(source AS TEXT) LIKE '%/unread'")" = file ]
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  "$T" init case3 --name nobody >/dev/null
  mkdir -p real; printf 'x\n' > real/locked; chmod 000 real/locked; printf 'y\n' > real/open
  chmod -R a+rwX case3 real; chmod 000 real/locked; chmod a+rx "$PWD"
  rc=0; setpriv --reuid=65534 --regid=65534 --clear-groups "$T" --case case3 collect --label other real >out4b 2>&1 || rc=$?
  [ "$rc" -eq 3 ] || { echo "as nobody: exit $rc"; cat out4b; exit 1; }
  grep -q 'locked: cannot open: Permission denied' out4b
fi

# 5. Names with a newline, a TAB, an escape sequence and invalid UTF-8: kept as raw bytes,
# shown escaped.
mkdir -p names
printf a > "names/$(printf 'new\nline')"; printf b > "names/$(printf 'tab\there')"
printf c > "names/$(printf 'bad\xff\xfe.php')"; printf d > "names/$(printf 'esc\e[31mred')"
"$T" --case case collect --label webroot names >out5
[ "$(q "SELECT count(*) FROM evidence_items WHERE hex(original_path) IN ('6E65770A6C696E65','7461620968657265','626164FFFE2E706870','6573631B5B33316D726564')")" -eq 4 ]
! grep -q $'\e' out5

# 6. Archives in each form, and a tar stream on stdin.
mkdir -p site/app/etc; printf '<?php\n' > site/app/etc/env.php; printf 'log\n' > site/x.log
tar czf site.tar.gz site; tar --zstd -cf site.tar.zst site; tar cf site.tar site
(cd site && zip -qr ../site.zip .)
"$T" --case case collect --label webroot site.tar.gz site.tar.zst site.tar site.zip >out6
for a in site.tar.gz site.tar.zst site.tar site.zip; do
  n=$(q "SELECT count(*) FROM evidence_items WHERE CAST(source AS TEXT) LIKE '%/$a' AND kind='file'")
  [ "$n" -eq 2 ] || { echo "$a: $n files"; exit 1; }
done
tar c -C site . | "$T" --case case collect --label webroot - >out7
[ "$(q "SELECT count(*) FROM evidence_items WHERE source=CAST('-' AS BLOB) AND original_path=CAST('./app/etc/env.php' AS BLOB)")" -eq 1 ]
# The same content is one object.
env_sha=$(sha256sum site/app/etc/env.php | cut -c1-64)
[ "$(q "SELECT count(DISTINCT sha256) FROM evidence_items WHERE CAST(original_path AS TEXT) LIKE '%app/etc/env.php'")" -eq 1 ]
[ -f "case/evidence/objects/${env_sha:0:2}/$env_sha" ]
rc=0; printf 'not a tar' | "$T" --case case collect - >out8 || rc=$?
[ "$rc" -eq 3 ] && grep -q 'not a tar' out8

# Everything collected verifies.
"$T" --case case verify >verify.out || { cat verify.out; exit 1; }
echo "hostile: all handled"
