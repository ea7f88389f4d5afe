#!/usr/bin/env bash
# The project's single test command: `bash scripts/test.sh [pytest args]`.
# Works on a fresh machine: installs the test dependencies, a Chromium for the
# browser tests (Debian's; `playwright install` cannot download here), fetches the
# vendored Pyodide/PyScript, then lints and runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

echo "== pip install -e .[test]"
python3 -m pip install -q --root-user-action=ignore -e '.[test]'

chromium_path() {
    python3 -c 'import sys; sys.path.insert(0, "scripts"); from chromium import find_chromium; print(find_chromium() or "")'
}
if [ -z "$(chromium_path)" ]; then
    echo "== no Chromium found: apt-get install chromium"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then SUDO="sudo -n"; else
            echo "error: need root or sudo to apt-get install chromium" >&2; exit 1
        fi
    fi
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q chromium
fi
echo "== chromium: $(chromium_path)"

# Graphviz's dot: the layout tests compare edge crossings with it.
if ! command -v dot >/dev/null; then
    echo "== no Graphviz dot found: apt-get install graphviz"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q graphviz
fi

echo "== setup"
python3 scripts/setup.py

echo "== ruff check"
ruff check .

echo "== pytest"
# Browser tests fail (instead of skipping) when Chromium is missing.
export GRADSTEP_REQUIRE_BROWSER=1
python3 -m pytest "$@"
