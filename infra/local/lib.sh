# shellcheck shell=bash
# Helpers shared by the native stack (stack.sh) and the 3-node cluster (cluster.sh): logging, the PID files
# that say which processes a script started, the lock, Java, and Kafka's jars and tools.
#
# The sourcing script sets, before calling anything here:
#   ROOT       the repository
#   STATE_DIR  where PID files, the lock and tool logs go (stack.sh: STACK_DIR, cluster.sh: CLUSTER_DIR)
#   LOG_TAG    the name in log lines and the lock's file name (stack, cluster)
#   STARTER    what started the processes, in messages ("stack:up", "cluster.sh up")
# and may override the hooks `legacy_marker` and `before_stop` (defined below) after sourcing this file.

CACHE_DIR="$ROOT/.cache"
# The Kafka version is set once, in .env (docker-compose reads it too); the topics once, in infra/kafka/topics.
KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's/^KAFKA_VERSION=//p' "$ROOT/.env")}"
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
STACK_TIMEOUT="${STACK_TIMEOUT:-120}"

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
fail() {
  printf '[%s] FAILED: %s\n' "$LOG_TAG" "$1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && { printf '[%s] last lines of %s:\n' "$LOG_TAG" "$2" >&2; tail -n 25 "$2" >&2; }
  exit 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# ---------- processes: which ones this script started ----------
# A PID file holds "PID START": START is field 22 of /proc/PID/stat (start time in clock ticks since boot),
# so a PID the kernel has since given to another process is recognised as not ours and never killed.
proc_start() {
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # the command name (field 2) may contain spaces; the fields after its closing ")" start at field 3
  read -ra fields <<<"${stat##*) }"
  echo "${fields[19]}"
}

proc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | cut -c1-160; }

record_pid() { printf '%s %s\n' "$2" "$(proc_start "$2")" >"$STATE_DIR/$1.pid"; }

# How a process of NAME looks on its command line, to recognise PID files written before start times were
# (hook: stack.sh knows its older PID files).
legacy_marker() { echo "$STATE_DIR/"; }

# Prints the PID recorded for NAME when that process is still the one this script started.
# Status 1: nothing recorded or it is gone; status 2: the PID now belongs to another process.
owned_pid() {
  local pidfile="$STATE_DIR/$1.pid" pid="" start="" now
  [ -f "$pidfile" ] || return 1
  read -r pid start <"$pidfile" || true
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && now="$(proc_start "$pid")"; } || return 1
  if [ -n "$start" ]; then
    [ "$now" = "$start" ] || return 2
  else
    proc_cmdline "$pid" | grep -qF -- "$(legacy_marker "$1")" || return 2
  fi
  echo "$pid"
}

pid_alive() { owned_pid "$1" >/dev/null; }

# The lock for `up` and `down`, on file descriptor 9. Every process started in the background closes it
# (9>&-): a broker holding it would block every later `up`.
take_lock() {
  exec 9>>"$STATE_DIR/$LOG_TAG.lock"
  flock -n 9 && return 0
  log "another $LOG_TAG.sh up/down is running on $STATE_DIR, waiting for it to finish"
  flock -w "$((STACK_TIMEOUT * 3))" 9 || fail "another $LOG_TAG.sh up/down still holds $STATE_DIR/$LOG_TAG.lock after $((STACK_TIMEOUT * 3))s"
}

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

# Kafka (broker and tools) runs on the `java` on PATH and needs Java 17+.
check_java() {
  local java_bin major
  java_bin="$(command -v java || true)"
  [ -n "$java_bin" ] || fail "java: no Java on PATH; Kafka $KAFKA_VERSION needs Java 17+ (the registry 21+, or 17 for Apicurio 2.6): install a JDK (e.g. Debian's openjdk-17-jre-headless) or put its bin/ on PATH"
  major="$(java_major "$java_bin")"
  [ "${major:-0}" -ge 17 ] 2>/dev/null || fail "java: $java_bin is Java ${major:-of an unknown version}; Kafka $KAFKA_VERSION needs Java 17+"
}

# ---------- Kafka's jars and tools ----------
kafka_cp() { echo "$KAFKA_LIBS/*"; }
# Short-lived tool JVMs (health probes, topic creation): C1 only and the serial collector, as JIT compiling
# for peak speed is wasted on a run of seconds — 1.6 instead of 2.6 CPU seconds, 1.8 instead of 5-7 s on a
# loaded 2-core machine (TopicCommand --list).
TOOL_JVM_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
kafka_tool() {
  kafka_resolve
  java "${TOOL_JVM_OPTS[@]}" -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2-tools.properties" -cp "$(kafka_cp)" "$@"
}

kafka_resolve() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && return 0
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central (once)"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime >"$STATE_DIR/mvn-kafka.log" 2>&1 ||
    fail "kafka: Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION" "$STATE_DIR/mvn-kafka.log"
}

# ---------- waiting and stopping ----------
wait_for() {
  local name="$1" probe="$2" logfile="$3" process="$4" started=$SECONDS
  until "$probe"; do
    if [ -n "$process" ] && ! pid_alive "$process"; then fail "$name: process exited during start-up" "$logfile"; fi
    if ((SECONDS - started > STACK_TIMEOUT)); then fail "$name: not healthy after ${STACK_TIMEOUT}s" "$logfile"; fi
    sleep 1
  done
  log "$name: healthy after $((SECONDS - started))s"
}

# Called by stop_pid with NAME and PID before it signals a process of ours (hook: stack.sh stops
# PostgreSQL through pg_ctlcluster first).
before_stop() { :; }

stop_pid() {
  local name="$1" pidfile="$STATE_DIR/$1.pid" pid recorded="" status=0
  [ -f "$pidfile" ] || return 0
  read -r recorded _ <"$pidfile" || true
  pid="$(owned_pid "$name")" || status=$?
  if [ "$status" = 2 ]; then
    log "$name: pid $recorded is no longer the process $STARTER started (now: $(proc_cmdline "$recorded")); not stopping it"
  fi
  if [ "$status" != 0 ]; then rm -f "$pidfile"; return; fi
  log "$name: stopping pid $pid"
  before_stop "$name" "$pid"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then log "$name: still running after 30s, killing"; kill -9 "$pid" 2>/dev/null || true; fi
  rm -f "$pidfile"
}
