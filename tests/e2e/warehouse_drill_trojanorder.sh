# The warehouse equality test (tests/e2e/warehouse_drill.bash) on the trojanorder drill.
WAREHOUSE_SCENARIOS=trojanorder
source "$TQ_SOURCE_DIR/tests/e2e/warehouse_drill.bash"
