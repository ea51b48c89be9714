#!/usr/bin/env bash
# Installs plimsoll for the action and prints `bin=<path>` to $GITHUB_OUTPUT: the released
# binary for this runner when `version` is set and the release has one, else a build of the
# action's own source with `cargo install --locked`. Both live in the tool cache, which the
# action keeps between runs (keyed on the version and the source's hash):
#   $PLIMSOLL_TOOL_CACHE/<version>/plimsoll   the release archive, unpacked
#   $PLIMSOLL_TOOL_CACHE/source/bin/plimsoll  the build, with source-hash beside it
# Release assets, as .github/workflows/release.yml builds them (scripts/package.sh):
#   $PLIMSOLL_RELEASES_URL/v<version>/plimsoll-<target>.tar.gz
#       `plimsoll` (and LICENSE, README.md) at the top level
#   $PLIMSOLL_RELEASES_URL/v<version>/plimsoll-<target>.tar.gz.sha256
#       `<sha256 hex>  plimsoll-<target>.tar.gz`
# where the URL defaults to the repository's GitHub releases and the target to the runner's
# (static musl binaries on Linux); the tests point both elsewhere.
set -euo pipefail
cache="${PLIMSOLL_TOOL_CACHE:?}"
version="${PLIMSOLL_VERSION:-}"
version="${version#v}"
bin=""

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

if [ -n "$version" ]; then
  target="${PLIMSOLL_TARGET:-}"
  if [ -z "$target" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) target=x86_64-unknown-linux-musl ;;
      Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
      Darwin-x86_64) target=x86_64-apple-darwin ;;
      Darwin-arm64) target=aarch64-apple-darwin ;;
      *) target="" ;;
    esac
  fi
  dir="$cache/$version"
  releases="${PLIMSOLL_RELEASES_URL:-https://github.com/${PLIMSOLL_REPOSITORY:-plimsoll/plimsoll}/releases/download}"
  url="$releases/v$version/plimsoll-$target.tar.gz"
  archive="${RUNNER_TEMP:-/tmp}/plimsoll-$target.tar.gz"
  if [ -x "$dir/plimsoll" ]; then
    bin="$dir/plimsoll"
  elif [ -n "$target" ] && curl -fsSL "$url" -o "$archive" 2>/dev/null \
    && curl -fsSL "$url.sha256" -o "$archive.sha256" 2>/dev/null; then
    expected="$(cut -d' ' -f1 "$archive.sha256")"
    actual="$(sha256 "$archive")"
    if [ "$expected" != "$actual" ]; then
      echo "::error title=plimsoll::plimsoll-$target.tar.gz of release v$version does not match its .sha256 ($actual, expected $expected)"
      exit 1
    fi
    mkdir -p "$dir"
    tar -xzf "$archive" -C "$dir"
    rm -f "$archive" "$archive.sha256"
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
