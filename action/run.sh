#!/usr/bin/env bash
# Runs plimsoll once for the action: GitHub annotations on stdout, SARIF to
# $PLIMSOLL_SARIF (for github/codeql-action/upload-sarif), a Markdown summary appended to
# $GITHUB_STEP_SUMMARY; writes the outputs `sarif-file` and `exit-code` to $GITHUB_OUTPUT and
# exits with plimsoll's code (1 when a finding at or above `fail-on` remains).
set -uo pipefail
bin="${PLIMSOLL_BIN:-plimsoll}"
sarif="${PLIMSOLL_SARIF:-plimsoll.sarif}"
summary="$(mktemp)"
trap 'rm -f "$summary"' EXIT

args=(check --color never --fail-on "${PLIMSOLL_FAIL_ON:-warning}"
  --format github --format "sarif=$sarif" --format "markdown=$summary")
if [ -n "${PLIMSOLL_CONFIG:-}" ]; then
  args+=(--config "$PLIMSOLL_CONFIG")
fi
# Paths are separated by spaces or new lines.
read -r -d '' -a paths <<< "${PLIMSOLL_PATHS:-.}"
if [ "${#paths[@]}" -eq 0 ]; then
  paths=(.)
fi

cd "${GITHUB_WORKSPACE:-.}" || exit 2
"$bin" "${args[@]}" -- "${paths[@]}"
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$summary" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "sarif-file=$sarif"
    echo "exit-code=$code"
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
