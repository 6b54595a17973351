# Headless Chromium for the HTML report's browser tests (tests/html.rs):
# Debian's chromium and chromium-driver, Node.js, and playwright-core from
# tests/browser/package-lock.json (it drives the installed chromium; it
# never downloads a browser of its own). Quick when all is there; stops
# scripts/test with an error when something cannot be installed.
# Sourced by scripts/test: exports AUTHSWEEP_CHROMIUM.

authsweep_apt() {
  if [ "$(id -u)" != 0 ]; then
    echo "scripts/setup/chromium.sh: need root to apt-get install $*" >&2
    return 1
  fi
  if [ -z "${AUTHSWEEP_APT_UPDATED:-}" ]; then
    apt-get update -qq || return 1
    AUTHSWEEP_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || return 1
}

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "scripts/setup/chromium.sh: installing chromium and chromium-driver" >&2
  authsweep_apt chromium chromium-driver || {
    echo "scripts/setup/chromium.sh: could not install chromium" >&2
    exit 1
  }
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "scripts/setup/chromium.sh: installing nodejs and npm" >&2
  authsweep_apt nodejs npm || {
    echo "scripts/setup/chromium.sh: could not install nodejs and npm" >&2
    exit 1
  }
fi
# playwright-core as locked; reinstalled when the lock file changes.
authsweep_browser=tests/browser
if ! cmp -s "$authsweep_browser/package-lock.json" "$authsweep_browser/node_modules/.authsweep-lock" 2>/dev/null \
  || [ ! -f "$authsweep_browser/node_modules/playwright-core/package.json" ]; then
  echo "scripts/setup/chromium.sh: npm ci in $authsweep_browser" >&2
  (cd "$authsweep_browser" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error \
    && cp package-lock.json node_modules/.authsweep-lock) || {
    echo "scripts/setup/chromium.sh: npm ci failed in $authsweep_browser" >&2
    exit 1
  }
fi
/usr/bin/chromium --version >/dev/null 2>&1 || {
  echo "scripts/setup/chromium.sh: /usr/bin/chromium does not run" >&2
  exit 1
}
export AUTHSWEEP_CHROMIUM=/usr/bin/chromium
unset authsweep_browser
