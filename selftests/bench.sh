#!/bin/bash
# bench.sh - `make bench`: runs every selftests/bench/*.sh in order.  Each
# prints its own figures; nothing here is asserted (benchmarks are not tests).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
status=0
shopt -s nullglob
for b in selftests/bench/*.sh; do
	echo "== $(basename "$b" .sh)"
	bash "$b" || { echo "bench: $b failed" >&2; status=1; }
done
exit $status
