#!/bin/sh
# One week's run: newer copies of the evidence sources, then a report dated today in
# REPORTS/YYYY-MM-DD/, then REPORTS/index.html. `gaptrack update` exits 2 when a source
# was rejected (one line says which and why; the copy in use stays): the report is still
# written from the copies held, and the script then exits 2 so the scheduler shows it.
set -u
REPORTS="${1:-reports}"
DAY="$(date -u +%Y-%m-%d)"
shift 2>/dev/null || true
gaptrack update "$@"
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then exit "$status"; fi
gaptrack report "$@" --out "$REPORTS/$DAY" || exit $?
python -m gaptrack.update.dated "$REPORTS" || exit $?
exit "$status"
