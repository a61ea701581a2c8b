# shellcheck shell=bash
# Addresses of the stack's components. Each can be overridden by the variable of the same name, which is
# also what docker-compose.yml sets for the services, so one configuration works in both.
export KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-$KAFKA_HOST:$KAFKA_PORT}"
export REGISTRY_HOST="${REGISTRY_HOST:-127.0.0.1}"
export REGISTRY_PORT="${REGISTRY_PORT:-8081}"
# Apicurio 3.x (Quarkus) also serves a management interface (health, metrics) on its own port
export REGISTRY_MANAGEMENT_PORT="${REGISTRY_MANAGEMENT_PORT:-9000}"
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://$REGISTRY_HOST:$REGISTRY_PORT}"
export PGHOST="${PGHOST:-127.0.0.1}"
export PGPORT="${PGPORT:-5432}"
export PGUSER="${PGUSER:-postgres}"
export PGDATABASE="${PGDATABASE:-lambdakappa}"
export DATABASE_URL="${DATABASE_URL:-postgres://$PGUSER@$PGHOST:$PGPORT/$PGDATABASE}"
export REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
export REDIS_PORT="${REDIS_PORT:-6379}"
export REDIS_URL="${REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT}"
