#!/usr/bin/env bash
# A huge file is streamed in bounded memory: a 512 MiB sparse file (truncate; hashing it
# takes a few seconds here, the issue's 10 GB works the same way, only slower) is collected
# with the process's peak RSS far below the file size, the right hash, and a sparse object.
T="$TOURNIQUET"
"$T" init case --name huge >/dev/null
mkdir -p logs
truncate -s 512M logs/huge.log
printf 'tail line\n' >> logs/huge.log
size=$(stat -c %s logs/huge.log)
# sha256sum of 512 MiB of zeros followed by "tail line\n" (computed once with coreutils).
want=091266f89b45fd7244214ffc72a48518e87a00dd4341e0f163ff13a19c176ce8
"$T" --case case --json collect --label logs logs/huge.log > out.json
python3 - "$size" "$want" <<'PY'
import json, sys
d = json.load(open("out.json"))
size, want = int(sys.argv[1]), sys.argv[2]
assert d["files"] == 1 and d["bytes"] == size, d
assert d["max_rss_kb"] < 100 * 1024, f"peak RSS {d['max_rss_kb']} KB for a {size} byte file"
print("peak RSS", d["max_rss_kb"], "KB")
PY
obj="case/evidence/objects/${want:0:2}/$want"
[ "$(stat -c %s "$obj")" -eq "$size" ]
[ "$(sqlite3 case/case.db 'SELECT sha256 FROM evidence_items')" = "$want" ]
# Stored sparse: far fewer blocks on disk than bytes.
[ "$(du -k "$obj" | cut -f1)" -lt 10240 ]
"$T" --case case verify >/dev/null
