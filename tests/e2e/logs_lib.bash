# Helpers for the logs end-to-end tests (sourced, not a test itself).
# add_log_evidence CASE FILE [ORIGINAL_PATH]: puts FILE into CASE's evidence store as a
# collected "logs" item, as `collect` would (content-addressed object + evidence_items row).
# Used until `collect` is on main; the tests then switch to it.
add_log_evidence() {
  local case="$1" file="$2" orig="${3:-$2}"
  local sha
  sha=$(sha256sum "$file" | cut -d' ' -f1)
  mkdir -p "$case/evidence/objects/${sha:0:2}"
  cp "$file" "$case/evidence/objects/${sha:0:2}/$sha"
  chmod 0444 "$case/evidence/objects/${sha:0:2}/$sha"
  local size
  size=$(stat -c %s "$file")
  sqlite3 "$case/case.db" "INSERT INTO evidence_items (sha256, label, original_path, kind, size, source, collected_at) VALUES ('$sha', 'logs', '$orig', 'file', $size, 'test', 0);"
}
fail() { echo "FAIL: $*" >&2; exit 1; }
