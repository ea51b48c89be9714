#!/usr/bin/env bash
# Installs the third-party checkers the test suite validates our outputs and integration
# files with, into target/ci-tools (tests that need one skip with a message when it is
# missing; .ci/run makes them required):
#   - pre-commit (PyPI): `pre-commit validate-manifest` / `validate-config`;
#   - PyYAML (PyPI, with libyaml): the YAML files libyaml reads (tests/yaml_compat.rs);
#   - xmlschema (PyPI) and the Jenkins JUnit schema junit-10.xsd, taken from pytest's source
#     distribution (testing/example_scripts/junit-10.xsd);
#   - action-validator (npm): GitHub Action metadata and workflow schemas;
#   - vnu-jar (npm): the Nu HTML checker, run with the machine's Java, for the posture page;
#   - chromium (Debian): headless Chromium renders the posture page for a screenshot test;
#   - cargo-fuzz (crates.io), for scripts/fuzz.sh on the nightly toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/ci-tools
mkdir -p "$tools"

if [ ! -x "$tools/venv/bin/pre-commit" ] || [ ! -f "$tools/junit-10.xsd" ] ||
  ! "$tools/venv/bin/python3" -c 'import yaml, sys; sys.exit(0 if yaml.__with_libyaml__ else 1)' 2>/dev/null; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==4.*" "xmlschema==4.*" "pyyaml==6.*"
  rm -rf "$tools/dl"
  "$tools/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    "pytest==8.3.5" -d "$tools/dl"
  tar -xzf "$tools"/dl/pytest-8.3.5.tar.gz -C "$tools/dl" pytest-8.3.5/testing/example_scripts/junit-10.xsd
  cp "$tools/dl/pytest-8.3.5/testing/example_scripts/junit-10.xsd" "$tools/junit-10.xsd"
fi

if [ ! -x "$tools/npm/node_modules/.bin/action-validator" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools/npm" "@action-validator/cli@0.6.0" \
    "@action-validator/core@0.6.0" >/dev/null
fi
if [ ! -f "$tools/npm/node_modules/vnu-jar/build/dist/vnu.jar" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools/npm" "vnu-jar@26.9.27" >/dev/null
fi
if ! command -v java >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1; then
  packages=()
  command -v java >/dev/null 2>&1 || packages+=(default-jre-headless)
  command -v chromium >/dev/null 2>&1 || packages+=(chromium)
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null; }
fi
if [ ! -x "$tools/cargo/bin/cargo-fuzz" ]; then
  cargo install --quiet --locked --root "$tools/cargo" cargo-fuzz@0.13.2
fi
echo "checkers installed in $tools"
