# Shared by tests/e2e/warehouse_*.sh and bench/warehouse.sh: starts ClickHouse servers (Debian
# 12's clickhouse-server, 18.16) on loopback as this script's own processes, each with its own
# configuration and data under a directory, and two of them as the shards of one cluster
# `tq_two` (remote_servers). Callers: ch_require (exits 77 without the server), ch_start NAME
# (sets CH_HTTP_<NAME> and CH_TCP_<NAME>), ch_cluster_config A B (before starting them), and
# ch_stop_all at exit.
CH_SERVER=$(command -v clickhouse-server || true)
[ -z "$CH_SERVER" ] && [ -x /usr/sbin/clickhouse-server ] && CH_SERVER=/usr/sbin/clickhouse-server
CH_PIDS=()

ch_require() {
  [ -n "$CH_SERVER" ] || { echo "clickhouse-server not installed (scripts/setup)"; exit 77; }
  command -v curl >/dev/null || { echo "curl missing"; exit 77; }
}

ch_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + (RANDOM * 7 + $$) % 40000 ))
    if ! ss -ltn "( sport = :$p )" 2>/dev/null | grep -q ":$p"; then echo "$p"; return; fi
  done
  echo "no free port" >&2; return 1
}

# ch_config DIR HTTP TCP [REMOTE_SERVERS_XML]: the server's whole configuration: loopback only,
# small caches (the test machine is small), a user `tq` with password `tq-pw` beside `default`,
# and `limited`, whose queries fail past 1,000 rows read (a server error in the middle of a scan).
ch_config() {
  local dir=$1 http=$2 tcp=$3 remote=${4:-}
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/log"
  cat > "$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>16</max_concurrent_queries>
  <mlock_executable>false</mlock_executable>
  <remote_servers>$remote</remote_servers>
</yandex>
XML
  cat > "$dir/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads></default>
    <limited><max_memory_usage>2000000000</max_memory_usage><max_threads>1</max_threads><max_rows_to_read>1000</max_rows_to_read><max_block_size>100</max_block_size></limited></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
    <tq><password>tq-pw</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></tq>
    <limited><password></password><networks><ip>127.0.0.1</ip></networks><profile>limited</profile><quota>default</quota></limited>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML
}

# ch_start NAME [REMOTE_SERVERS_XML [HTTP TCP]]: a server in $TQ_TMP/ch_NAME; waits until it
# answers (up to CH_START_SECONDS, 90 by default: a loaded two-core CI machine starts three
# servers at once). A server that exits before answering (a port taken between ch_free_port
# and its bind) is started again on fresh ports when the caller did not choose them.
ch_start() {
  local name=$1 remote=${2:-} http=${3:-} tcp=${4:-} attempt
  for attempt in 1 2 3; do
    ch_start_once "$name" "$remote" "$http" "$tcp"
    case $? in
      0) return 0 ;;
      2) [ -z "${3:-}" ] || return 1 ;;  # died early: retry only with ports of our own
      *) return 1 ;;
    esac
  done
  return 1
}

# ch_start_once: 0 when the server answers, 2 when it exited before answering, 1 on timeout.
ch_start_once() {
  local name=$1 remote=$2 http=$3 tcp=$4 dir pid waited=0 limit=$(( ${CH_START_SECONDS:-90} * 10 ))
  dir="${CH_BASE:-$TQ_TMP}/ch_$name"
  [ -n "$http" ] || http=$(ch_free_port) || return 1
  [ -n "$tcp" ] || tcp=$(ch_free_port) || return 1
  ch_config "$dir" "$http" "$tcp" "$remote"
  "$CH_SERVER" --config-file="$dir/config.xml" > "$dir/log/stdout.log" 2>&1 &
  pid=$!
  CH_PIDS+=($pid)
  eval "CH_HTTP_$name=$http; CH_TCP_$name=$tcp; CH_PID_$name=$pid"
  while [ $waited -lt $limit ]; do
    if [ "$(curl -s --max-time 2 "http://127.0.0.1:$http/ping" 2>/dev/null)" = "Ok." ]; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "clickhouse $name exited before answering on port $http:" >&2
      tail -n 5 "$dir/log/error.log" "$dir/log/stdout.log" >&2 2>/dev/null
      return 2
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  echo "clickhouse $name did not answer on port $http within ${CH_START_SECONDS:-90} s:" >&2
  tail -n 5 "$dir/log/error.log" "$dir/log/stdout.log" >&2 2>/dev/null
  return 1
}

# The remote_servers block of a cluster `tq_two` with one shard per TCP port given.
ch_cluster_xml() {
  local xml="<tq_two>" p
  for p in "$@"; do xml+="<shard><replica><host>127.0.0.1</host><port>$p</port></replica></shard>"; done
  echo "$xml</tq_two>"
}

ch_stop_all() {
  local p
  for p in "${CH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${CH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  CH_PIDS=()
}

# ch_two_shards A B: servers A and B as the two shards of cluster tq_two (each knows both).
ch_two_shards() {
  local ha hb ta tb xml
  for _ in 1 2 3; do
    ha=$(ch_free_port) && hb=$(ch_free_port) && ta=$(ch_free_port) && tb=$(ch_free_port) || return 1
    xml=$(ch_cluster_xml "$ta" "$tb")
    if ch_start "$1" "$xml" "$ha" "$ta" && ch_start "$2" "$xml" "$hb" "$tb"; then return 0; fi
    ch_stop_all  # a port was taken under us: both again on fresh ports
  done
  return 1
}

# ch_split FROM_HTTP DB TABLE A_HTTP B_HTTP B_TCP_OF_FROM: copies FROM's DB.TABLE to database
# `sh` on A and B, rows with an even line number on A and the others on B, and creates the
# Distributed table sh.all over them on A and B (cluster tq_two, in that order).
ch_split() {
  local from=$1 db=$2 table=$3 a=$4 b=$5 from_tcp=$6 ddl
  ddl=$(ch_sql "$from" "SHOW CREATE TABLE $db.$table FORMAT TabSeparatedRaw" | sed "s/^CREATE TABLE $db\./CREATE TABLE sh./")
  local side port k=0
  for port in "$a" "$b"; do
    ch_sql "$port" "CREATE DATABASE IF NOT EXISTS sh" >/dev/null
    ch_sql "$port" "DROP TABLE IF EXISTS sh.all" >/dev/null
    ch_sql "$port" "DROP TABLE IF EXISTS sh.$table" >/dev/null
    ch_sql "$port" "$ddl" >/dev/null
    ch_sql "$port" "INSERT INTO sh.$table SELECT * FROM remote('127.0.0.1:$from_tcp', $db.$table) WHERE line_no % 2 = $k" >/dev/null
    ch_sql "$port" "CREATE TABLE sh.all AS sh.$table ENGINE = Distributed(tq_two, sh, $table, rand())" >/dev/null
    k=1
  done
}

# ch_sql PORT QUERY: runs one query over HTTP as `default`.
ch_sql() { curl -sS --fail-with-body "http://127.0.0.1:$1/" --data-binary "$2"; }
