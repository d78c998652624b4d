# The warehouse equality test (tests/e2e/warehouse_drill.bash) on the cosmicsting drill.
WAREHOUSE_SCENARIOS=cosmicsting
source "$TQ_SOURCE_DIR/tests/e2e/warehouse_drill.bash"
