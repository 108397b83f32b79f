#!/usr/bin/env bash
# The inbound benchmark on both backends and all routes (`make bench`):
#   bench/run_all.sh BINARY [extra ingest_bench.py options, e.g. --repeat 3]
# import and LMTP: 10,000 messages; ingest (one process per message): the first 2,000.
# SQLite in a fresh folder under bench/.work/; PostgreSQL in a private cluster on 127.0.0.1
# with fsync=on (or a fresh database in the cluster of $REPLYDESK_BENCH_PG_URL).
# Writes bench/.work/results-<UTC time>.json; exit status 1 when a correctness check fails.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 BINARY [ingest_bench.py options]" >&2; exit 64; }
here=$(cd "$(dirname "$0")" && pwd)
binary=$1; shift
mkdir -p "$here/.work"
out="$here/.work/results-$(date -u +%Y%m%dT%H%M%SZ).json"
/usr/bin/python3 "$here/ingest_bench.py" "$binary" --backend both --route all \
  --count 10000 --ingest-count 2000 --seed 42 --json "$out" "$@"
echo "JSON: $out"
