#!/usr/bin/env bash
# Native stack for machines without a Docker engine: Kafka (KRaft) and the Apicurio schema registry from
# jars resolved through Maven Central, plus the machine's PostgreSQL and Redis.
#
#   stack.sh up       start what is not already healthy (idempotent), create topics, database, migrations
#   stack.sh down     stop only what `up` started (Kafka, registry, and PostgreSQL/Redis when `up` started
#                     them), by the PIDs it recorded under .stack/, each checked to still be that process
#   stack.sh status   each component, its address and health
#   stack.sh healthy  exit 0 when every component answers (used to reuse a running stack)
#   stack.sh setup    migrations + contract schemas only, on a running stack (what `up` does last)
#   stack.sh restart-broker / restart-postgres   fault tests: restart the broker `up` started, or PostgreSQL
#
# POSTGRES_OWN=1: instead of the machine's cluster on PGPORT, a PostgreSQL cluster of this stack's own
# ($STACK_DIR/pg-data, initdb'd once, log $STACK_DIR/postgres.log) on 127.0.0.1:PGPORT, which `down` stops and
# `restart-postgres` restarts: a suite restarting PostgreSQL then never restarts the one others share.
#
# Every address can be overridden with the variables docker-compose uses (see infra/local/env.sh).
# STACK_DIR (default .stack/) holds the data, logs, PIDs and the lock: another STACK_DIR plus other ports
# is another, independent stack (the tests use that to leave the shared one alone).
# `up` and `down` hold a lock (flock on $STACK_DIR/stack.lock): a second `up` waits for the first, then
# finds everything healthy.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=env.sh
source "$ROOT/infra/local/env.sh"

STACK_DIR="${STACK_DIR:-$ROOT/.stack}"
STATE_DIR="$STACK_DIR" LOG_TAG=stack STARTER=stack:up
# shellcheck source=lib.sh
source "$ROOT/infra/local/lib.sh"
KAFKA_TOPICS_FILE="$ROOT/infra/kafka/topics"
KAFKA_DATA="$STACK_DIR/kafka-data"
mkdir -p "$STACK_DIR" "$CACHE_DIR"

# lib.sh hook: how a process of NAME looks on its command line, to recognise PID files written before
# start times were.
legacy_marker() {
  case "$1" in
    kafka) echo "-Dkafka.logs.dir=$STACK_DIR/kafka-logs" ;;
    registry) echo "$CACHE_DIR/apicurio-" ;;
    *) echo "$STACK_DIR/" ;;
  esac
}

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
# Healthy = the broker answers a Kafka request: ApiVersions (v0, correlation id 1) over bash's /dev/tcp, its
# answer carrying the same correlation id and no error. A KRaft broker processes requests only once it has
# been unfenced, so an answer means it serves. Asked of a JVM tool, as before, each probe cost 1.6-2.6 CPU
# seconds and 2-7 s on a loaded 2-core machine, and start-up, status and every restart probe again and again.
# (a subshell: the socket, and a SIGPIPE from a peer that hangs up, stay in it)
kafka_healthy() (
  port_open "$KAFKA_HOST" "$KAFKA_PORT" || exit 1
  exec 3<>"/dev/tcp/$KAFKA_HOST/$KAFKA_PORT" 2>/dev/null || exit 1
  printf '\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02lk' >&3 2>/dev/null || exit 1
  reply="$(timeout 5 head -c 10 <&3 | od -An -tx1 | tr -d ' \n')"
  # size (4 bytes), correlation id 1, error code 0
  [ "${reply:8:12}" = 000000010000 ]
)

# A broker this stack started whose data directory is gone (deleted while it ran): reported, never
# answered by formatting a new directory under it or starting a second broker beside it.
kafka_check_data() {
  [ -f "$KAFKA_DATA/meta.properties" ] && return 0
  local pid how
  if pid="$(owned_pid kafka)"; then
    how="stop it with: bash infra/local/stack.sh down"
  else
    # .stack wiped altogether: the PID file went with it, the broker's command line still names the directory
    pid="$(pgrep -f -- "-Dkafka.logs.dir=$STACK_DIR/kafka-logs" | head -1 || true)"
    how="stop it with: kill $pid"
  fi
  [ -z "$pid" ] ||
    fail "kafka: the broker started from $STACK_DIR is running (pid $pid), but its data directory $KAFKA_DATA is missing (deleted while it ran?); not reusing it and not formatting a new one — $how, then run up again"
}

kafka_up() {
  kafka_check_data
  if port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    kafka_healthy || fail "kafka: port $KAFKA_PORT is taken by something that does not answer as a Kafka broker"
    if pid_alive kafka; then log "kafka: already listening on $KAFKA_BROKERS, reusing"
    else log "kafka: already listening on $KAFKA_BROKERS (a broker this stack did not start), reusing"; fi
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
  # KAFKA_JVM_OPTS (word-split) replaces the GC and JIT settings: the test suites' own brokers take C1 only,
  # whose start costs a fraction of the CPU of C2's compilations on a 2-core machine
  # shellcheck disable=SC2086
  nohup java -Xms512m -Xmx1g ${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20} -Djava.awt.headless=true \
    -Dkafka.logs.dir="$STACK_DIR/kafka-logs" -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -cp "$(kafka_cp)" kafka.Kafka "$config" >"$STACK_DIR/kafka.out" 2>&1 9>&- &
  record_pid kafka $!
  wait_for kafka kafka_healthy "$STACK_DIR/kafka-logs/server.log" kafka
}

kafka_topics() {
  local existing
  existing="$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BROKERS" --list 2>/dev/null)" ||
    fail "kafka: the broker on $KAFKA_BROKERS answers, but listing its topics failed" ""
  local name partitions config config_args
  while read -r name partitions config; do
    case "$name" in '' | '#'*) continue ;; esac
    if grep -qx "$name" <<<"$existing"; then continue; fi
    log "kafka: creating topic $name ($partitions partitions, $config)"
    config_args=()
    [ -z "$config" ] || IFS=, read -ra config_args <<<"$config"
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BROKERS" --create --if-not-exists \
      --topic "$name" --partitions "$partitions" --replication-factor 1 "${config_args[@]/#/--config=}" >/dev/null
  done <"$KAFKA_TOPICS_FILE"
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
  # C1 only and the serial collector: the registry answers a request per schema id, and starts in 13 s and
  # 6.7 CPU seconds instead of 28 s and 11 (measured beside the test suites on a 2-core machine)
  nohup "$java_bin" -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dquarkus.http.host="$REGISTRY_HOST" -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host="$REGISTRY_HOST" -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -jar "$launcher" >"$STACK_DIR/registry.log" 2>&1 9>&- &
  record_pid registry $!
  wait_for registry registry_healthy "$STACK_DIR/registry.log" registry
}

# ---------- PostgreSQL ----------
postgres_healthy() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -t 2; }

# The machine's cluster on PGPORT (Debian's postgresql-common): "VERSION NAME DATADIR", or nothing.
postgres_cluster() {
  command -v pg_lsclusters >/dev/null || return 0
  pg_lsclusters -h 2>/dev/null | awk -v port="$PGPORT" '$3 == port { print $1, $2, $6; exit }'
}

PG_DATA="$STACK_DIR/pg-data"

postgres_own() { [ "${POSTGRES_OWN:-}" = 1 ]; }

# The server binaries for an own cluster: pg_config's, else the newest /usr/lib/postgresql/*/bin with them.
postgres_bindir() {
  local dir
  dir="$(pg_config --bindir 2>/dev/null || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  while read -r dir; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
  fail "postgres: POSTGRES_OWN=1 needs PostgreSQL's server binaries (initdb, pg_ctl), found neither through pg_config --bindir nor in /usr/lib/postgresql/*/bin: install the server (e.g. Debian's postgresql)"
}

# PostgreSQL refuses to run as root: as root, its tools run as the postgres user (from /, which it can read).
postgres_as_owner() {
  if [ "$(id -u)" != 0 ]; then "$@"
  elif command -v runuser >/dev/null; then (cd / && runuser -u postgres -- "$@")
  else
    # shellcheck disable=SC2016 # expanded by the postgres user's sh, from the arguments after the script
    (cd / && su postgres -s /bin/sh -c 'exec "$0" "$@"' "$@")
  fi
}

# The postmaster of the own cluster, from its postmaster.pid (empty when it is not running).
postgres_own_postmaster() { head -1 "$PG_DATA/postmaster.pid" 2>/dev/null || true; }

# Who listens on PORT, for messages: "NAME (pid PID)", or nothing.
port_holder() {
  command -v ss >/dev/null || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -1
}

postgres_own_start() {
  local bindir
  bindir="$(postgres_bindir)"
  if [ "$(id -u)" = 0 ]; then
    id -u postgres >/dev/null 2>&1 || fail "postgres: PostgreSQL does not run as root, and there is no postgres user to run the own cluster as"
    # mktemp -d directories are 0700: the postgres user only needs to pass through to pg-data
    chmod o+x "$STACK_DIR"
    postgres_as_owner test -x "$STACK_DIR" ||
      fail "postgres: the postgres user cannot reach $STACK_DIR (a parent directory not searchable by others?)"
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "postgres: initialising a cluster of this stack's own in $PG_DATA (once)"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" != 0 ] || chown postgres: "$PG_DATA"
    postgres_as_owner "$bindir/initdb" -D "$PG_DATA" --auth=trust --username="$PGUSER" --encoding=UTF8 \
      --no-locale --no-instructions >"$STACK_DIR/postgres-initdb.log" 2>&1 ||
      fail "postgres: initdb of $PG_DATA failed" "$STACK_DIR/postgres-initdb.log"
  fi
  # pg_ctl appends to the log as the server's user
  touch "$STACK_DIR/postgres.log"
  [ "$(id -u)" != 0 ] || chown postgres: "$STACK_DIR/postgres.log"
  log "postgres: starting this stack's own cluster ($("$bindir/pg_ctl" --version | awk '{ print $3 }')) on 127.0.0.1:$PGPORT"
  # TCP only (no Unix socket): the clients connect to PGHOST:PGPORT, and no socket can clash with the machine's
  postgres_as_owner "$bindir/pg_ctl" start -w -t "$STACK_TIMEOUT" -D "$PG_DATA" -l "$STACK_DIR/postgres.log" \
    -o "-p $PGPORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=''" \
    >"$STACK_DIR/postgres-start.log" 2>&1 9>&- ||
    fail "postgres: pg_ctl start of $PG_DATA failed (see also $STACK_DIR/postgres.log)" "$STACK_DIR/postgres-start.log"
  local postmaster
  postmaster="$(postgres_own_postmaster)"
  [ -n "$postmaster" ] || fail "postgres: started, but $PG_DATA/postmaster.pid names no postmaster" "$STACK_DIR/postgres.log"
  record_pid postgres "$postmaster"
  wait_for postgres postgres_healthy "$STACK_DIR/postgres.log" postgres
}

# POSTGRES_OWN=1: reuse the own cluster this STACK_DIR started, else start it; never anything else on PGPORT.
postgres_own_up() {
  [ "$PGHOST" = 127.0.0.1 ] || [ "$PGHOST" = localhost ] ||
    fail "postgres: POSTGRES_OWN=1 runs the cluster on this machine, but PGHOST is $PGHOST (use 127.0.0.1)"
  if pid_alive postgres && [ "$(owned_pid postgres)" = "$(postgres_own_postmaster)" ]; then
    local port
    port="$(sed -n 4p "$PG_DATA/postmaster.pid")"
    [ "$port" = "$PGPORT" ] ||
      fail "postgres: this stack's own cluster runs on port $port, not PGPORT $PGPORT; stop it first with: bash infra/local/stack.sh down"
    postgres_healthy || wait_for postgres postgres_healthy "$STACK_DIR/postgres.log" postgres
    log "postgres: own cluster already answering on $PGHOST:$PGPORT, reusing"
    return
  fi
  if port_open 127.0.0.1 "$PGPORT"; then
    local what version="" cluster="" datadir=""
    read -r version cluster datadir <<<"$(postgres_cluster)" || true
    if [ -n "$cluster" ]; then what="the machine's cluster $version/$cluster ($datadir)"
    else what="$(port_holder "$PGPORT")"; what="${what:-something else}"; fi
    fail "postgres: port $PGPORT is taken by $what, not by this stack's own cluster ($PG_DATA); choose another PGPORT"
  fi
  postgres_own_start
}

postgres_up() {
  if postgres_own; then
    postgres_own_up
  elif ! postgres_healthy; then
    local version="" cluster="" datadir="" postmaster=""
    if [ "$PGHOST" = 127.0.0.1 ] || [ "$PGHOST" = localhost ]; then
      read -r version cluster datadir <<<"$(postgres_cluster)" || true
      [ -n "$cluster" ] || fail "postgres: not answering on $PGHOST:$PGPORT, and no local cluster (pg_lsclusters) uses port $PGPORT"
      log "postgres: not answering on $PGHOST:$PGPORT, starting the machine's cluster $version/$cluster"
      pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >"$STACK_DIR/postgres-start.log" 2>&1 9>&- ||
        fail "postgres: could not start the local cluster $version/$cluster" "$STACK_DIR/postgres-start.log"
    fi
    wait_for postgres postgres_healthy "$STACK_DIR/postgres-start.log" ""
    # `down` stops it again: remember the postmaster and the cluster it belongs to
    if [ -n "$cluster" ] && postmaster="$(head -1 "$datadir/postmaster.pid" 2>/dev/null)" && [ -n "$postmaster" ]; then
      record_pid postgres "$postmaster"
      echo "$version $cluster" >"$STACK_DIR/postgres.cluster"
    fi
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
    log "redis: not answering on $REDIS_HOST:$REDIS_PORT, starting the machine's redis-server"
    # in the foreground of its own nohup, like the JVMs, so its PID is ours to record and `down` stops it
    nohup redis-server --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
      --dir "$STACK_DIR" >"$STACK_DIR/redis.log" 2>&1 9>&- &
    record_pid redis $!
    wait_for redis redis_healthy "$STACK_DIR/redis.log" redis
  else
    wait_for redis redis_healthy "" ""
  fi
}

# ---------- common ----------
# lib.sh hook: PostgreSQL is stopped as the cluster it belongs to (when `up` started it: the machine's, or
# the own one whose postmaster PID is the recorded one), then signalled.
before_stop() {
  [ "$1" = postgres ] || return 0
  if [ -f "$STACK_DIR/postgres.cluster" ]; then
    local version cluster
    read -r version cluster <"$STACK_DIR/postgres.cluster"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" stop >"$STACK_DIR/postgres-stop.log" 2>&1 ||
      log "postgres: pg_ctlcluster stop failed (see $STACK_DIR/postgres-stop.log), signalling it"
    rm -f "$STACK_DIR/postgres.cluster"
  elif [ "$(postgres_own_postmaster)" = "$2" ]; then
    # fast: ends the sessions still open instead of waiting for their clients
    postgres_as_owner "$(postgres_bindir)/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >"$STACK_DIR/postgres-stop.log" 2>&1 ||
      log "postgres: pg_ctl stop failed (see $STACK_DIR/postgres-stop.log), signalling it"
  fi
}

# Migrations, and the contract schemas registered (idempotent; on a fresh in-memory registry this comes
# first, so UserEvent v1/v2 always get the same ids and records kept in Kafka stay decodable).
setup_data() {
  # shellcheck source=../../scripts/toolchain.sh
  source "$ROOT/scripts/toolchain.sh"
  if [ ! -d "$ROOT/node_modules" ]; then (cd "$ROOT" && pnpm install --frozen-lockfile >/dev/null); fi
  (cd "$ROOT" && pnpm exec tsc -b libs/store libs/schemas &&
    node libs/store/dist/cli/migrate.js && node libs/store/dist/cli/compact.js &&
    node libs/schemas/dist/cli/register-schemas.js) >"$STACK_DIR/setup.log" 2>&1 ||
    fail "migrations or schema registration failed" "$STACK_DIR/setup.log"
  log "postgres: migrations applied; registry: contract schemas registered"
}

status_line() {
  local name="$1" address="$2" probe="$3" owner="machine" pid
  pid="$(owned_pid "$name")" && owner="pid $pid, started by stack:up"
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
  take_lock
  check_java
  postgres_up
  redis_up
  kafka_up
  registry_up
  kafka_topics
  [ "${STACK_SKIP_MIGRATE:-}" = 1 ] || setup_data
  log "stack up in $((SECONDS - started))s"
}

cmd_down() {
  take_lock
  stop_pid registry
  stop_pid kafka
  stop_pid redis
  stop_pid postgres
}

# For fault tests: stop the broker stack:up started (by its recorded PID) and start it again on the same data.
cmd_restart_broker() {
  take_lock
  owned_pid kafka >/dev/null || fail "kafka: not started by stack:up in $STACK_DIR, so not restarting it" ""
  stop_pid kafka
  check_java
  kafka_up
}

# For fault tests: restart the local PostgreSQL cluster serving PGPORT (pg_ctlcluster), then wait for it;
# with POSTGRES_OWN=1 the own cluster instead (stopped when this STACK_DIR started it, then started again).
cmd_restart_postgres() {
  take_lock
  if postgres_own; then
    log "postgres: restarting this stack's own cluster"
    stop_pid postgres
    postgres_own_up
    return
  fi
  local version="" cluster="" datadir=""
  read -r version cluster datadir <<<"$(postgres_cluster)" || true
  [ -n "$cluster" ] || fail "postgres: no local cluster (pg_lsclusters) uses port $PGPORT" ""
  log "postgres: restarting the local cluster $version/$cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" restart >"$STACK_DIR/postgres-restart.log" 2>&1 9>&- ||
    pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start >>"$STACK_DIR/postgres-restart.log" 2>&1 9>&- ||
    fail "postgres: restart of $version/$cluster failed" "$STACK_DIR/postgres-restart.log"
  wait_for postgres postgres_healthy "$STACK_DIR/postgres-restart.log" ""
}

case "${1:-status}" in
  up) cmd_up ;;
  restart-broker) cmd_restart_broker ;;
  restart-postgres) cmd_restart_postgres ;;
  down) cmd_down ;;
  status) cmd_status ;;
  healthy) kafka_healthy && registry_healthy && postgres_healthy && redis_healthy ;;
  setup) setup_data ;;
  *) echo "usage: $0 up|down|status|healthy|setup|restart-broker|restart-postgres" >&2; exit 2 ;;
esac
