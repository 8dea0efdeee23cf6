#!/bin/sh
# Entrypoint of the rabbitmq container: start the broker with definitions.json, then give each
# user its password from /run/secrets/rabbitmq_<user>_password and delete guest. The healthcheck
# passes only after that, so services never connect before their user can log in.
set -eu
rm -f /tmp/mutu-users-ready
docker-entrypoint.sh rabbitmq-server &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null; wait "$broker"; exit $?' TERM INT
tries=0
until rabbitmqctl --quiet await_startup --timeout 10 >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { echo "RabbitMQ did not start" >&2; exit 1; }
  sleep 2
done
for user in training survey evaluation rewards admin; do
  rabbitmqctl --quiet change_password "$user" "$(cat "/run/secrets/rabbitmq_${user}_password")"
done
rabbitmqctl --quiet delete_user guest 2>/dev/null || true
touch /tmp/mutu-users-ready
wait "$broker"
