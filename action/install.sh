#!/usr/bin/env bash
# Installs plimsoll for the action and prints `bin=<path>` to $GITHUB_OUTPUT: the released
# binary for this runner when `version` is set and the release has one (checked against its
# .sha256), else a build of the action's own source with `cargo install --locked`, kept in
# the tool cache under the source's hash.
set -euo pipefail
cache="${PLIMSOLL_TOOL_CACHE:?}"
version="${PLIMSOLL_VERSION:-}"
version="${version#v}"
bin=""

if [ -n "$version" ]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=x86_64-unknown-linux-gnu ;;
    Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-gnu ;;
    Darwin-x86_64) target=x86_64-apple-darwin ;;
    Darwin-arm64) target=aarch64-apple-darwin ;;
    *) target="" ;;
  esac
  dir="$cache/$version"
  url="https://github.com/${PLIMSOLL_REPOSITORY:-plimsoll/plimsoll}/releases/download/v$version/plimsoll-$target.tar.gz"
  if [ -x "$dir/plimsoll" ]; then
    bin="$dir/plimsoll"
  elif [ -n "$target" ] && curl -fsSL "$url" -o "$RUNNER_TEMP/plimsoll.tar.gz" 2>/dev/null \
    && curl -fsSL "$url.sha256" -o "$RUNNER_TEMP/plimsoll.tar.gz.sha256" 2>/dev/null; then
    (cd "$RUNNER_TEMP" && echo "$(cut -d' ' -f1 plimsoll.tar.gz.sha256)  plimsoll.tar.gz" | sha256sum -c -)
    mkdir -p "$dir"
    tar -xzf "$RUNNER_TEMP/plimsoll.tar.gz" -C "$dir"
    bin="$dir/plimsoll"
  else
    echo "::notice title=plimsoll::no released binary of plimsoll $version for $(uname -s)-$(uname -m); building the action's source"
  fi
fi

if [ -z "$bin" ]; then
  dir="$cache/source"
  if [ ! -x "$dir/bin/plimsoll" ] || [ "$(cat "$dir/source-hash" 2>/dev/null)" != "${PLIMSOLL_SOURCE_HASH:-}" ]; then
    cargo install --locked --quiet --path "${PLIMSOLL_ACTION_PATH:?}" --root "$dir"
    echo "${PLIMSOLL_SOURCE_HASH:-}" > "$dir/source-hash"
  fi
  bin="$dir/bin/plimsoll"
fi

"$bin" --version
echo "bin=$bin" >> "${GITHUB_OUTPUT:?}"
