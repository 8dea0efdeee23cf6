#!/usr/bin/env bash
# Make sure a RabbitMQ answers at AMQP_URL: start a local one if stopped, install it if absent (root).
set -euo pipefail
url="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}"
hostport=$(echo "$url" | sed -E 's#^amqps?://([^@/]*@)?([^/?]*).*#\2#')
host=${hostport%%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5672
reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; }
if reachable; then exit 0; fi
case "$host" in 127.0.0.1|localhost|::1) ;; *) echo "RabbitMQ at $host:$port is not reachable" >&2; exit 1 ;; esac
if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
  if [ "$(id -u)" != 0 ]; then echo "RabbitMQ is not installed; run: sudo apt-get install -y rabbitmq-server" >&2; exit 1; fi
  echo "installing rabbitmq-server with apt" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server >&2 \
    || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server >&2; }
fi
echo "starting the local RabbitMQ" >&2
PATH="$PATH:/usr/sbin" rabbitmq-server -detached >&2 || true
for _ in $(seq 1 90); do reachable && exit 0; sleep 1; done
echo "RabbitMQ did not come up on $host:$port" >&2
exit 1
