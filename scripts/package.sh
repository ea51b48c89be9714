#!/usr/bin/env bash
# Packs a release binary the way action/install.sh downloads it:
#
#   scripts/package.sh TARGET BINARY [OUT_DIR]      OUT_DIR defaults to dist
#
# writes OUT_DIR/plimsoll-TARGET.tar.gz (the binary, `plimsoll` or `plimsoll.exe`, with
# LICENSE and README.md, all at the top level) and OUT_DIR/plimsoll-TARGET.tar.gz.sha256
# (`<sha256 hex>  plimsoll-TARGET.tar.gz`, as sha256sum prints it and `sha256sum -c` reads
# it). Used by .github/workflows/release.yml on Linux, macOS and Windows (Git Bash).
set -euo pipefail
target=${1:?usage: scripts/package.sh TARGET BINARY [OUT_DIR]}
binary=${2:?usage: scripts/package.sh TARGET BINARY [OUT_DIR]}
out=${3:-dist}
root=$(cd "$(dirname "$0")/.." && pwd)
name="plimsoll-$target.tar.gz"
exe="plimsoll"
case "$target" in
  *windows*) exe="plimsoll.exe" ;;
esac

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$binary" "$stage/$exe"
chmod 755 "$stage/$exe"
cp "$root/LICENSE" "$root/README.md" "$stage/"
mkdir -p "$out"
tar -czf "$out/$name" -C "$stage" "$exe" LICENSE README.md
(
  cd "$out"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$name" > "$name.sha256"
  else
    shasum -a 256 "$name" > "$name.sha256"
  fi
)
echo "$out/$name"
