#!/usr/bin/env bash
# The project's single test command: `bash scripts/test.sh [pytest args]`.
# Works on a fresh machine: installs the test dependencies, a Chromium for the
# browser tests (Debian's; `playwright install` cannot download here), fetches the
# vendored Pyodide, then lints, runs the JavaScript unit tests and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

echo "== pip install -e .[test]"
python3 -m pip install -q --root-user-action=ignore -e '.[test]'

chromium_path() {
    python3 -c 'import sys; sys.path.insert(0, "scripts"); from chromium import find_chromium; print(find_chromium() or "")'
}

# Debian packages the tests need, installed only when missing (root, or sudo -n).
apt_install() {
    echo "== apt-get install $*"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then sudo="sudo -n"; else
            echo "error: need root or sudo to apt-get install $*" >&2; exit 1
        fi
    fi
    $sudo apt-get update -q
    $sudo apt-get install -y -q "$@"
}

# Chromium for the browser tests (Playwright's own download cannot work here).
[ -n "$(chromium_path)" ] || apt_install chromium
echo "== chromium: $(chromium_path)"
# Graphviz's dot: the layout tests compare edge crossings with it.
command -v dot >/dev/null || apt_install graphviz

echo "== setup"
python3 scripts/setup.py

echo "== ruff check"
ruff check .

echo "== node --test tests/js/"
# The page's pure JavaScript modules (web/graph/scene.js, geometry.js, plot.js, viewport.js),
# with node's built-in runner: no npm packages. Node 20.19+ (or 22.7+) loads web/*.js
# as ES modules without a package.json. Ends with its "# pass N / # fail N" summary
# (TAP when not on a terminal); a failure stops the run here (set -e).
command -v node >/dev/null || { echo "error: node 20.19 or later is needed for tests/js/" >&2; exit 1; }
node --test tests/js/

echo "== pytest"
# Browser tests fail (instead of skipping) when Chromium is missing.
export GRADSTEP_REQUIRE_BROWSER=1
python3 -m pytest "$@"
