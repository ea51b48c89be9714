#!/usr/bin/env bash
# Refreshes the API lifecycle data embedded in plimsoll (data/api-lifecycle.yaml and its
# sources) from the maintained copy in ../shared/data, which is regenerated every Kubernetes
# minor from the +k8s:prerelease-lifecycle-gen tags of kubernetes/api (see its SOURCE.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/data
for f in api-lifecycle.yaml SOURCE.txt; do
  [ -f "$src/$f" ] || { echo "error: $src/$f not found" >&2; exit 1; }
  cp "$src/$f" "data/$f"
done
echo "data/api-lifecycle.yaml: latest_release $(sed -n 's/^latest_release: "\([0-9.]*\)".*/\1/p' data/api-lifecycle.yaml)"
