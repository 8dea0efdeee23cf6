#!/usr/bin/env bash
# Make sure promtool/prometheus (alert-rule tests, the Prometheus integration test),
# docker-compose (compose file check), chromium and chromium-driver (the demo report and the pages
# are rendered headless; Selenium drives them) and node + npm (the official AsyncAPI parser checks
# docs/asyncapi.yaml) are installed: apt-get installs them when absent and root. Then `npm ci`
# installs the pinned parser of tools/asyncapi.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v promtool >/dev/null 2>&1 || [ -x /usr/bin/promtool ] || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || [ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]} with apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  # The Debian package may start its own Prometheus on :9090; the tests start their own.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi
# The AsyncAPI parser, exactly as locked; again whenever the lock file changes.
tools=tools/asyncapi
if [ ! -f "$tools/node_modules/.package-lock.json" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
  echo "installing the AsyncAPI parser (npm ci in $tools)" >&2
  (cd "$tools" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund >&2)
fi
