#!/usr/bin/env bash
# Native stack for machines without a Docker engine: Kafka (KRaft) and the Apicurio schema registry from
# jars resolved through Maven Central, plus the machine's PostgreSQL and Redis.
#
#   stack.sh up       start what is not already healthy (idempotent), create topics, database, migrations
#   stack.sh down     stop only what `up` started, by the PIDs it recorded under .stack/
#   stack.sh status   each component, its address and health
#   stack.sh healthy  exit 0 when every component answers (used to reuse a running stack)
#
# Every address can be overridden with the variables docker-compose uses (see infra/local/env.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=env.sh
source "$ROOT/infra/local/env.sh"

STACK_DIR="$ROOT/.stack"
CACHE_DIR="$ROOT/.cache"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/infra/kafka/pom.xml")"
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
KAFKA_DATA="$STACK_DIR/kafka-data"
STACK_TIMEOUT="${STACK_TIMEOUT:-120}"
mkdir -p "$STACK_DIR" "$CACHE_DIR"

log() { printf '[stack] %s\n' "$*" >&2; }
fail() {
  printf '[stack] FAILED: %s\n' "$1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && { printf '[stack] last lines of %s:\n' "$2" >&2; tail -n 25 "$2" >&2; }
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

# The registry (Apicurio 3.x, Quarkus) needs Java 21+; the broker runs on the machine's Java 17.
registry_java() {
  if [ -n "${REGISTRY_JAVA_HOME:-}" ]; then echo "$REGISTRY_JAVA_HOME/bin/java"; return; fi
  local candidate
  for candidate in "$(command -v java)" /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    if [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then echo "$candidate"; return; fi
  done
  echo ""
}

# ---------- Kafka ----------
kafka_cp() { echo "$KAFKA_LIBS/*"; }
kafka_tool() { java -Xmx256m -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2-tools.properties" -cp "$(kafka_cp)" "$@"; }

kafka_resolve() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central (once)"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime >"$STACK_DIR/mvn-kafka.log" 2>&1 ||
    fail "kafka: Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION" "$STACK_DIR/mvn-kafka.log"
}

# Healthy = the broker answers a topic listing; the listing is kept for kafka_topics, which would
# otherwise start another JVM to ask again.
kafka_healthy() {
  port_open "$KAFKA_HOST" "$KAFKA_PORT" || return 1
  KAFKA_TOPIC_LIST="$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BROKERS" --list 2>/dev/null)"
}

kafka_up() {
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    kafka_healthy || fail "kafka: port $KAFKA_PORT is taken by something that does not answer as a Kafka broker"
    log "kafka: already listening on $KAFKA_BROKERS, reusing"
    return
  fi
  kafka_resolve
  local config="$STACK_DIR/kafka-server.properties"
  sed -e "s|@KAFKA_HOST@|$KAFKA_HOST|g" -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" -e "s|@KAFKA_DATA@|$KAFKA_DATA|g" \
    "$ROOT/infra/kafka/server.properties.template" >"$config"
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    log "kafka: formatting KRaft storage in $KAFKA_DATA (once)"
    local cluster_id
    cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    kafka_tool kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$config" \
      >"$STACK_DIR/kafka-format.log" 2>&1 || fail "kafka: storage format failed" "$STACK_DIR/kafka-format.log"
  fi
  mkdir -p "$STACK_DIR/kafka-logs"
  log "kafka: starting $KAFKA_VERSION (KRaft) on $KAFKA_BROKERS"
  nohup java -Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dkafka.logs.dir="$STACK_DIR/kafka-logs" -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -cp "$(kafka_cp)" kafka.Kafka "$config" >"$STACK_DIR/kafka.out" 2>&1 &
  echo $! >"$STACK_DIR/kafka.pid"
  wait_for kafka kafka_healthy "$STACK_DIR/kafka-logs/server.log" "$STACK_DIR/kafka.pid"
}

kafka_topics() {
  local existing="${KAFKA_TOPIC_LIST-}"
  local spec name partitions config
  # name:partitions:extra config (30-day retention on the input, so Kappa can replay it)
  for spec in "user-events:12:retention.ms=2592000000" "user-events.dlq:1:retention.ms=2592000000" \
    "user-events.late:12:retention.ms=2592000000"; do
    IFS=: read -r name partitions config <<<"$spec"
    if grep -qx "$name" <<<"$existing"; then continue; fi
    log "kafka: creating topic $name ($partitions partitions, $config)"
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BROKERS" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor 1 --config "$config" >/dev/null
  done
}

# ---------- Schema registry ----------
registry_healthy() { curl -sf -m 3 "$SCHEMA_REGISTRY_URL/apis/ccompat/v7/subjects" >/dev/null; }

registry_up() {
  if registry_healthy; then log "registry: already answering at $SCHEMA_REGISTRY_URL, reusing"; return; fi
  port_open "$REGISTRY_HOST" "$REGISTRY_PORT" && fail "registry: port $REGISTRY_PORT is taken by something that is not a schema registry"
  local java_bin version
  java_bin="$(registry_java)"
  # Apicurio 3.x needs Java 21+; 2.6.x (same Confluent-compatible API) still runs on Java 17.
  if [ -n "$java_bin" ]; then version="${APICURIO_VERSION:-3.3.3}"; else java_bin="$(command -v java)"; version="${APICURIO_VERSION:-2.6.13.Final}"; fi
  local home="$CACHE_DIR/apicurio-$version"
  # 3.x unpacks to a Quarkus fast-jar (quarkus-run.jar), 2.6.x to a legacy runner jar beside lib/
  local launcher="$home/quarkus-run.jar"
  [ "${version%%.*}" = 2 ] && launcher="$home/apicurio-registry-app-$version-runner.jar"
  if [ ! -f "$launcher" ]; then
    log "registry: resolving io.apicurio:apicurio-registry-app:$version (classifier all) from Maven Central (once)"
    mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" -DoutputDirectory="$home" \
      >"$STACK_DIR/mvn-registry.log" 2>&1 || fail "registry: Maven could not resolve Apicurio $version" "$STACK_DIR/mvn-registry.log"
    tar xzf "$home"/apicurio-registry-app-*-all.tar.gz -C "$home" && rm -f "$home"/apicurio-registry-app-*-all.tar.gz
  fi
  log "registry: starting Apicurio $version on $SCHEMA_REGISTRY_URL (Confluent API at /apis/ccompat/v7, in-memory storage)"
  nohup "$java_bin" -Xmx512m -Dquarkus.http.host="$REGISTRY_HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -jar "$launcher" >"$STACK_DIR/registry.log" 2>&1 &
  echo $! >"$STACK_DIR/registry.pid"
  wait_for registry registry_healthy "$STACK_DIR/registry.log" "$STACK_DIR/registry.pid"
}

# ---------- PostgreSQL ----------
postgres_healthy() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -t 2; }

postgres_up() {
  if ! postgres_healthy; then
    if [ "$PGHOST" = 127.0.0.1 ] || [ "$PGHOST" = localhost ]; then
      log "postgres: not answering on $PGHOST:$PGPORT, starting the machine's cluster"
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start >"$STACK_DIR/postgres-start.log" 2>&1 ||
        fail "postgres: could not start the local cluster" "$STACK_DIR/postgres-start.log"
    fi
    wait_for postgres postgres_healthy "$STACK_DIR/postgres-start.log" ""
  fi
  if ! psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -tAc "select 1 from pg_database where datname='$PGDATABASE'" | grep -q 1; then
    log "postgres: creating database $PGDATABASE"
    psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -qc "create database \"$PGDATABASE\"" >/dev/null
  fi
}

# ---------- Redis ----------
redis_healthy() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_up() {
  redis_healthy && return 0
  if [ "$REDIS_HOST" = 127.0.0.1 ] || [ "$REDIS_HOST" = localhost ]; then
    log "redis: not answering on $REDIS_HOST:$REDIS_PORT, starting the machine's server"
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  fi
  wait_for redis redis_healthy /var/log/redis/ci.log ""
}

# ---------- common ----------
wait_for() {
  local name="$1" probe="$2" logfile="$3" pidfile="$4" started=$SECONDS
  until "$probe"; do
    if [ -n "$pidfile" ] && ! pid_alive "$pidfile"; then fail "$name: process exited during start-up" "$logfile"; fi
    if ((SECONDS - started > STACK_TIMEOUT)); then fail "$name: not healthy after ${STACK_TIMEOUT}s" "$logfile"; fi
    sleep 1
  done
  log "$name: healthy after $((SECONDS - started))s"
}

stop_pid() {
  local name="$1" pidfile="$STACK_DIR/$1.pid"
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  log "$name: stopping pid $pid"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then log "$name: still running after 30s, killing"; kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}

# Migrations, and the contract schemas registered (idempotent; on a fresh in-memory registry this comes
# first, so UserEvent v1/v2 always get the same ids and records kept in Kafka stay decodable).
setup_data() {
  # shellcheck source=../../scripts/toolchain.sh
  source "$ROOT/scripts/toolchain.sh"
  if [ ! -d "$ROOT/node_modules" ]; then (cd "$ROOT" && pnpm install --frozen-lockfile >/dev/null); fi
  (cd "$ROOT" && pnpm exec tsc -b libs/store libs/schemas &&
    node libs/store/dist/cli/migrate.js && node libs/schemas/dist/cli/register-schemas.js) >"$STACK_DIR/setup.log" 2>&1 ||
    fail "migrations or schema registration failed" "$STACK_DIR/setup.log"
  log "postgres: migrations applied; registry: contract schemas registered"
}

status_line() {
  local name="$1" address="$2" probe="$3" pidfile="$STACK_DIR/$1.pid" owner="machine"
  pid_alive "$pidfile" && owner="pid $(cat "$pidfile"), started by stack:up"
  if "$probe"; then printf '%-10s %-32s %-9s %s\n' "$name" "$address" healthy "$owner"
  else printf '%-10s %-32s %-9s %s\n' "$name" "$address" DOWN "$owner"; return 1; fi
}

cmd_status() {
  local rc=0
  printf '%-10s %-32s %-9s %s\n' COMPONENT ADDRESS HEALTH PROCESS
  status_line kafka "$KAFKA_BROKERS" kafka_healthy || rc=1
  status_line registry "$SCHEMA_REGISTRY_URL" registry_healthy || rc=1
  status_line postgres "$PGHOST:$PGPORT/$PGDATABASE" postgres_healthy || rc=1
  status_line redis "$REDIS_HOST:$REDIS_PORT" redis_healthy || rc=1
  return $rc
}

cmd_up() {
  local started=$SECONDS
  postgres_up
  redis_up
  kafka_up
  registry_up
  kafka_topics
  [ "${STACK_SKIP_MIGRATE:-}" = 1 ] || setup_data
  log "stack up in $((SECONDS - started))s"
}

case "${1:-status}" in
  up) cmd_up ;;
  down) stop_pid registry; stop_pid kafka ;;
  status) cmd_status ;;
  healthy) kafka_healthy && registry_healthy && postgres_healthy && redis_healthy ;;
  *) echo "usage: $0 up|down|status|healthy" >&2; exit 2 ;;
esac
