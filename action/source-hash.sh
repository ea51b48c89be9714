#!/usr/bin/env bash
# Prints `hash=<sha256>` of the action's Rust source, the key of the cached build.
set -euo pipefail
cd "${PLIMSOLL_ACTION_PATH:?}"
hash=$(find Cargo.toml Cargo.lock build.rs src rules -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
echo "hash=$hash"
