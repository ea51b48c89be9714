#!/usr/bin/env bash
# Runs plimsoll once for the action: GitHub annotations on stdout, SARIF to
# $PLIMSOLL_SARIF (for github/codeql-action/upload-sarif), a Markdown summary appended to
# $GITHUB_STEP_SUMMARY; writes the outputs `sarif-file` (only when the SARIF file was
# written) and `exit-code` to $GITHUB_OUTPUT and exits with plimsoll's code (1 when a
# finding at or above the threshold remains, 2 on a usage, configuration or I/O error).
#
# - `--fail-on` is passed only when $PLIMSOLL_FAIL_ON is set, so that `fail_on` in
#   .plimsoll.yaml applies otherwise (the CLI's default is `warning`).
# - `--changed-since` and `--baseline` are passed when $PLIMSOLL_CHANGED_SINCE and
#   $PLIMSOLL_BASELINE are set.
# - Paths are separated by spaces or new lines. A path with `*`, `?` or `[` that is not an
#   existing file is a glob, expanded from the workspace (`**` matches any number of
#   directories; hidden files match only when the pattern names the dot); a glob that
#   matches nothing is passed as it is, and plimsoll reports it as a missing path (exit 2).
#   Absolute paths inside $GITHUB_WORKSPACE are made relative to it, so annotations and
#   SARIF name repository files.
# - On an error (exit 2), each `error:` line plimsoll printed becomes an error annotation,
#   on the file, line and column it names (`error: .plimsoll.yaml:4:3: unknown key ...`),
#   and the job summary quotes them. The SARIF file is removed before the run, so
#   `sarif-file` is an output only when this run wrote it (a configuration error writes
#   none).
# - Unless $PLIMSOLL_POSTURE is `false`, `plimsoll posture` follows: its Markdown is
#   appended to the job summary and its JSON written to $PLIMSOLL_POSTURE_FILE (output
#   `posture-file`). $PLIMSOLL_POSTURE_COMPARE names an earlier JSON posture or a git
#   revision; in a pull request it defaults to the base commit ($PLIMSOLL_BASE_SHA) when
#   the checkout has it. A revision's tree is written with `git archive` into a temporary
#   directory and measured there with the same paths and configuration. The posture never
#   changes the exit code; when it fails, a warning says why.
set -uo pipefail
bin="${PLIMSOLL_BIN:-plimsoll}"
sarif="${PLIMSOLL_SARIF:-plimsoll.sarif}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
summary="$work/summary.md"
errors="$work/stderr"

cd "${GITHUB_WORKSPACE:-.}" || exit 2
workspace="$PWD"
physical="$(pwd -P)"

args=(check --color never --format github --format "sarif=$sarif" --format "markdown=$summary")
if [ -n "${PLIMSOLL_FAIL_ON:-}" ]; then
  args+=(--fail-on "$PLIMSOLL_FAIL_ON")
fi
if [ -n "${PLIMSOLL_CONFIG:-}" ]; then
  args+=(--config "$PLIMSOLL_CONFIG")
fi
# `=` keeps a value that starts with `-` a value (plimsoll refuses it as a revision).
if [ -n "${PLIMSOLL_CHANGED_SINCE:-}" ]; then
  args+=("--changed-since=$PLIMSOLL_CHANGED_SINCE")
fi
if [ -n "${PLIMSOLL_BASELINE:-}" ]; then
  args+=("--baseline=$PLIMSOLL_BASELINE")
fi

# `/ws` → `.`, `/ws/a/b` → `a/b`; other paths unchanged.
relative() {
  local p="$1" base
  for base in "$workspace" "$physical"; do
    base="${base%/}"
    if [ "$p" = "$base" ] || [ "$p" = "$base/" ]; then
      printf '%s\n' .
      return
    fi
    case "$p" in
      "$base"/*)
        printf '%s\n' "${p#"$base"/}"
        return
        ;;
    esac
  done
  printf '%s\n' "$p"
}

read -r -d '' -a given <<< "${PLIMSOLL_PATHS:-.}"
[ "${#given[@]}" -gt 0 ] || given=(.)
shopt -s globstar
paths=()
for p in "${given[@]}"; do
  matches=()
  case "$p" in
    *[*?[]*)
      if [ ! -e "$p" ]; then
        shopt -s nullglob
        # Unquoted on purpose, so that the glob expands; with IFS empty nothing is split.
        saved_ifs="$IFS"
        IFS=
        # shellcheck disable=SC2206
        matches=($p)
        IFS="$saved_ifs"
        shopt -u nullglob
      fi
      ;;
  esac
  [ "${#matches[@]}" -gt 0 ] || matches=("$p")
  for m in "${matches[@]}"; do
    paths+=("$(relative "$m")")
  done
done

# A report left by an earlier step must not pass for this run's.
rm -f -- "$sarif"
"$bin" "${args[@]}" -- "${paths[@]}" 2> "$errors"
code=$?
cat "$errors" >&2

# Workflow-command escaping: data (`%`, CR, LF) and property values (also `:` and `,`).
escape_data() {
  local s="${1//%/%25}"
  s="${s//$'\r'/%0D}"
  printf '%s' "${s//$'\n'/%0A}"
}
escape_property() {
  local s
  s="$(escape_data "$1")"
  s="${s//:/%3A}"
  printf '%s' "${s//,/%2C}"
}

if [ "$code" -eq 2 ]; then
  messages=()
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in
      "error: "*) ;;
      *) continue ;;
    esac
    text="${line#error: }"
    messages+=("$text")
    if [[ "$text" =~ ^([^:]+):([0-9]+):([0-9]+):\ (.*)$ ]]; then
      file="$(relative "${BASH_REMATCH[1]}")"
      echo "::error file=$(escape_property "$file"),line=${BASH_REMATCH[2]},col=${BASH_REMATCH[3]},title=plimsoll::$(escape_data "${BASH_REMATCH[4]}")"
    elif [[ "$text" =~ ^([^:]+):\ (.*)$ ]] && [ -f "${BASH_REMATCH[1]}" ]; then
      file="$(relative "${BASH_REMATCH[1]}")"
      echo "::error file=$(escape_property "$file"),title=plimsoll::$(escape_data "${BASH_REMATCH[2]}")"
    else
      echo "::error title=plimsoll::$(escape_data "$text")"
    fi
  done < "$errors"
  [ "${#messages[@]}" -gt 0 ] || messages=("plimsoll exited with code 2 (see the step's log)")
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    {
      echo "## plimsoll"
      echo
      echo "**plimsoll stopped with an error** (exit code 2):"
      echo
      echo '```text'
      printf '%s\n' "${messages[@]}"
      echo '```'
      echo
    } >> "$GITHUB_STEP_SUMMARY"
  fi
fi

if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$summary" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi

# The posture, compared with an earlier one when there is one.
posture_file="${PLIMSOLL_POSTURE_FILE:-plimsoll-posture.json}"
posture_md="$work/posture.md"
posture_written=false
if [ "$code" -ne 2 ] && [ "${PLIMSOLL_POSTURE:-true}" = "true" ]; then
  common=()
  if [ -n "${PLIMSOLL_CONFIG:-}" ]; then
    common+=(--config "$PLIMSOLL_CONFIG")
  fi
  pargs=(posture --quiet "${common[@]}" --format "markdown=$posture_md" --format "json=$posture_file")
  compare="${PLIMSOLL_POSTURE_COMPARE:-}"
  if [ -z "$compare" ] && [ "${GITHUB_EVENT_NAME:-}" = "pull_request" ] && [ -n "${PLIMSOLL_BASE_SHA:-}" ] &&
    git rev-parse --verify --quiet "${PLIMSOLL_BASE_SHA}^{commit}" > /dev/null 2>&1; then
    compare="$PLIMSOLL_BASE_SHA"
  fi
  if [ -n "$compare" ]; then
    if [ -f "$compare" ]; then
      pargs+=("--compare=$compare")
    elif [ "${compare#-}" = "$compare" ] && git rev-parse --verify --quiet "${compare}^{commit}" > /dev/null 2>&1; then
      before="$work/before"
      mkdir -p "$before"
      if git -c core.fsmonitor=false archive --format=tar "$compare" | tar -x -C "$before" &&
        (cd "$before" && "$bin" posture --quiet "${common[@]}" --format "json=$work/before.json" -- "${paths[@]}") \
          > /dev/null 2> "$work/before.err"; then
        pargs+=("--compare=$work/before.json")
      else
        echo "::warning title=plimsoll posture::$(escape_data "the posture of $compare could not be measured: $(tail -n 1 "$work/before.err" 2> /dev/null)")"
      fi
    else
      echo "::warning title=plimsoll posture::$(escape_data "posture-compare: $compare is neither a file nor a revision of the checkout")"
    fi
  fi
  rm -f -- "$posture_file"
  if "$bin" "${pargs[@]}" -- "${paths[@]}" > /dev/null 2> "$work/posture.err"; then
    posture_written=true
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$posture_md" ]; then
      {
        echo
        cat "$posture_md"
      } >> "$GITHUB_STEP_SUMMARY"
    fi
  else
    echo "::warning title=plimsoll posture::$(escape_data "the posture could not be measured: $(tail -n 1 "$work/posture.err")")"
  fi
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    if [ -f "$sarif" ]; then
      echo "sarif-file=$sarif"
    fi
    if [ "$posture_written" = true ]; then
      echo "posture-file=$posture_file"
    fi
    echo "exit-code=$code"
  } >> "$GITHUB_OUTPUT"
fi
exit "$code"
