#!/usr/bin/env bash
# Generate the secrets docker-compose.yml reads, under deploy/secrets/ (git-ignored, mode 600).
# Existing files are kept, so running it again never changes a password already in use.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
mkdir -p "$dir" && chmod 700 "$dir"
secret() { [ -s "$dir/$1" ] || { (umask 077; printf '%s' "$2" > "$dir/$1"); echo "created $1"; }; }
random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
secret mongo_root_password "$(random)"
secret rabbitmq_admin_password "$(random)"
secret grafana_admin_password "$(random)"
for service in training survey evaluation rewards; do
  secret "mongo_${service}_password" "$(random)"
  secret "rabbitmq_${service}_password" "$(random)"
  secret "${service}_amqp_url" "amqp://${service}:$(cat "$dir/rabbitmq_${service}_password")@rabbitmq:5672/mutu"
  secret "${service}_mongodb_url" \
    "mongodb://${service}:$(cat "$dir/mongo_${service}_password")@mongo:27017/?authSource=admin"
done
