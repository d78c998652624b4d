# The warehouse equality test (tests/e2e/warehouse_drill.bash) on the woo-stuffing drill.
WAREHOUSE_SCENARIOS=woo-stuffing
source "$TQ_SOURCE_DIR/tests/e2e/warehouse_drill.bash"
