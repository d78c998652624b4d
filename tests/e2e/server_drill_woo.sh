# The web UI on a drilled woo-stuffing case, in a real browser (tests/browser/drill_test.mjs): every
# page renders; the story holds the truth's steps in order; the timeline has one lane per
# actor; no duty that is done or not required shows as due; the letter preview is readable;
# reports open and download; a slower older response never overwrites a newer tab.
source "$TQ_SOURCE_DIR/tests/e2e/server_drill.inc"
run_drill_browser woo-stuffing
