#!/usr/bin/env bash
# Fuzzes the loader, the whole check and YAML editing (source::edit) with cargo-fuzz
# (libFuzzer) on the nightly toolchain, for a bounded time, seeded with every manifest under
# testdata/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 seconds each, targets load, check, fix_edit
#
# The corpus grows under fuzz/corpus/<target> (not committed); crashes land in
# fuzz/artifacts/<target> and make this script fail. Needs `cargo install cargo-fuzz`.
#
# No sanitizer by default: the library forbids unsafe code, and the build is made for short
# runs (fuzz/Cargo.toml). PLIMSOLL_FUZZ_SANITIZER=address (or any of cargo-fuzz's) turns one on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(load check fix_edit)

# cargo-fuzz from scripts/ci-tools.sh, else the user's own.
export PATH="$PWD/target/ci-tools/cargo/bin:$PATH"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz or the nightly toolchain is missing: rustup toolchain install nightly; cargo install cargo-fuzz --locked" >&2
  exit 2
fi

for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  seeds=fuzz/seeds/$target
  mkdir -p "$corpus" "$seeds"
  # Seeds: the project's own fixtures, one file each (copied, so libFuzzer may minimise).
  # libFuzzer runs every seed before it mutates, whatever the time given. An input of
  # `check` runs every rule and renders every format, about a hundred times the loader's
  # work (2 to 4 runs a second instrumented: one fixture in four took 47 to 85 s, all
  # replay): short runs seed it with one fixture in sixteen, so that they fuzz rather than
  # replay, in about the time given.
  every=1
  if [ "$target" = check ] && [ "$seconds" -lt 120 ]; then
    every=16
  fi
  n=0
  find testdata -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -64k -print0 | sort -z |
    while IFS= read -r -d '' f; do
      n=$((n + 1))
      [ $((n % every)) -eq 0 ] || continue
      cp "$f" "$seeds/$(printf '%s' "$f" | sha1sum | cut -c1-16)"
    done
  echo "fuzzing $target for ${seconds}s"
  # 16 codegen units instead of cargo-fuzz's 1: the instrumented build of the dependencies
  # takes about a minute less on 2 cores, which matters more than speed for short runs.
  cargo +nightly fuzz run --codegen-units 16 --sanitizer "${PLIMSOLL_FUZZ_SANITIZER:-none}" "$target" "$corpus" "$seeds" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    tee "fuzz/$target.log" | grep -E '^(#[0-9]+ +(INITED|DONE)|stat::|==[0-9]+==|SUMMARY|Done)' || true
  if ls "fuzz/artifacts/$target"/* >/dev/null 2>&1; then
    echo "fuzz target $target found a crash: see fuzz/artifacts/$target" >&2
    exit 1
  fi
  if ! grep -q 'Done [0-9]* runs' "fuzz/$target.log"; then
    # The log is gone with the CI machine: show its end, and the disk the build needed.
    echo "fuzz target $target did not complete; the end of fuzz/$target.log:" >&2
    tail -n 40 "fuzz/$target.log" >&2
    df -h . >&2 || true
    exit 1
  fi
done
