#!/usr/bin/env bash
# Make sure promtool/prometheus (alert-rule tests, the Prometheus integration test),
# docker-compose (compose file check), chromium (the demo report is rendered headless) and
# chromium-driver (Selenium drives the pages in tests and `make screenshots`) are installed: apt-get installs them when absent and root.
set -euo pipefail
missing=()
command -v promtool >/dev/null 2>&1 || [ -x /usr/bin/promtool ] || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || [ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
[ ${#missing[@]} -eq 0 ] && exit 0
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
