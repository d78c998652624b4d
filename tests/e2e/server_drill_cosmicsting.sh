# The web UI on a drilled cosmicsting case, in a real browser (tests/browser/drill_test.mjs): every
# page renders; the story holds the truth's steps in order; the timeline has one lane per
# actor; no duty that is done or not required shows as due; the letter preview is readable;
# reports open and download; a slower older response never overwrites a newer tab.
# With 100,000 more findings in the case: every page renders in under a second (printed).
source "$TQ_SOURCE_DIR/tests/e2e/server_drill.inc"
run_drill_browser cosmicsting timing
