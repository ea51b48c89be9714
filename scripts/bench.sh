#!/usr/bin/env bash
# Throughput and peak memory of a release build.
#   scripts/bench.sh [PATH]   (default: ../shared/corpora/bench)
# Prints the in-process benchmark (MB/s and documents/s next to the parse floor), then the
# wall time and peak resident memory of `plimsoll check` on PATH, from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-../shared/corpora/bench}
cargo build --release --quiet
cargo bench --bench throughput --quiet
echo
echo "release binary on $target:"
/usr/bin/time -f "  files as they are: wall %e s, peak RSS %M KB" \
  target/release/plimsoll check --no-config --quiet --format json --output /dev/null --fail-on never \
  --kustomize never --statistics "$target"
/usr/bin/time -f "  kustomizations rendered: wall %e s, peak RSS %M KB" \
  target/release/plimsoll check --no-config --quiet --format json --output /dev/null --fail-on never "$target"
