#!/usr/bin/env bash
# A 3-node KRaft cluster for fault tests, run natively from the same Kafka jars as the single-node stack
# (infra/local/stack.sh): every node is broker and controller, the quorum is the three of them (static
# voters), and every topic is replicated three times with min.insync.replicas 2 unless it says otherwise,
# so one node may die under a producer with acks=all without losing or refusing a record.
#
#   cluster.sh up              format each node's storage once (one cluster id), start the nodes that are not
#                              running, wait until all three are healthy and the quorum has a leader;
#                              prints KAFKA_BROKERS=... on stdout (idempotent)
#   cluster.sh down            stop the nodes `up` started, by the PIDs it recorded
#   cluster.sh status          each node, its addresses, health and process; the quorum's leader
#   cluster.sh kill-broker N   kill -9 node N (1-3), by its recorded PID
#   cluster.sh start-broker N  start node N again on its data, wait until it is healthy
#
# CLUSTER_DIR (default .stack/cluster) holds each node's data, config and logs (nodeN/), the PIDs and the
# lock. CLUSTER_BASE_PORT (default 19092): node N listens on 127.0.0.1 at base+N-1 (clients) and
# base+100+N-1 (controller). Below Linux's ephemeral port range (32768–60999): a port in it can be taken
# by any outgoing connection's local end, and a clean-clone CI run failed to bind 39192 that way. Only the
# Kafka jars are shared with the stack: the tests pair this cluster with the stack's schema registry,
# PostgreSQL and Redis.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/.stack/cluster}"
CLUSTER_BASE_PORT="${CLUSTER_BASE_PORT:-19092}"
STATE_DIR="$CLUSTER_DIR" LOG_TAG=cluster STARTER="cluster.sh up"
# shellcheck source=lib.sh
source "$ROOT/infra/local/lib.sh"
mkdir -p "$CLUSTER_DIR" "$CACHE_DIR"

HOST=127.0.0.1
NODES=(1 2 3)
broker_port() { echo $((CLUSTER_BASE_PORT + $1 - 1)); }
controller_port() { echo $((CLUSTER_BASE_PORT + 100 + $1 - 1)); }
BROKERS="" VOTERS=""
for n in "${NODES[@]}"; do
  BROKERS+="${BROKERS:+,}$HOST:$(broker_port "$n")"
  VOTERS+="${VOTERS:+,}$n@$HOST:$(controller_port "$n")"
done

node_dir() { echo "$CLUSTER_DIR/node$1"; }

check_node() {
  case "${1:-}" in 1 | 2 | 3) ;; *) echo "usage: $0 ${2:-kill-broker|start-broker} 1|2|3" >&2; exit 2 ;; esac
}

# What differs from the single-node template: the node's id, the static quorum, and replication for a
# cluster that keeps accepting acks=all writes with one node down (3 replicas, 2 in sync).
cluster_settings() {
  cat <<EOF
node.id=$1
controller.quorum.voters=$VOTERS
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
EOF
}

# Node N's server.properties: the stack's template (listeners, retention, auto.create.topics.enable, ...)
# without the keys set above, then those. The template names a bootstrap controller, which a static
# quorum replaces.
write_config() {
  local n="$1" dir overridden
  dir="$(node_dir "$n")"
  mkdir -p "$dir/logs"
  overridden="$(cluster_settings "$n" | sed 's/=.*//' | sed 's/\./\\./g' | paste -sd'|')|controller\.quorum\.bootstrap\.servers"
  {
    echo "# Written by infra/local/cluster.sh from infra/kafka/server.properties.template: node $n of 3."
    sed -e "s|@KAFKA_HOST@|$HOST|g" -e "s|@KAFKA_PORT@|$(broker_port "$n")|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$(controller_port "$n")|g" -e "s|@KAFKA_DATA@|$dir/data|g" \
      "$ROOT/infra/kafka/server.properties.template" | grep -Ev "^(#|($overridden)=)"
    cluster_settings "$n"
  } >"$dir/server.properties"
}

# Formats the nodes without storage, all with one cluster id (kept in CLUSTER_DIR, so a node formatted
# later joins the same cluster). A node started before and running without its data is reported instead.
format_nodes() {
  local n dir pids=() cluster_id
  for n in "${NODES[@]}"; do
    dir="$(node_dir "$n")"
    [ -f "$dir/data/meta.properties" ] && continue
    pid_alive "node$n" &&
      fail "node $n: running (pid $(owned_pid "node$n")) but its data directory $dir/data is missing; not formatting a new one under it — stop it with: bash infra/local/cluster.sh down"
    [ -f "$CLUSTER_DIR/cluster.id" ] || kafka_tool kafka.tools.StorageTool random-uuid >"$CLUSTER_DIR/cluster.id"
    cluster_id="$(cat "$CLUSTER_DIR/cluster.id")"
    log "node $n: formatting KRaft storage in $dir/data (cluster $cluster_id, once)"
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >"$dir/format.log" 2>&1 &
    pids+=("$!:$n")
  done
  local entry
  for entry in "${pids[@]}"; do
    wait "${entry%%:*}" || fail "node ${entry##*:}: storage format failed" "$(node_dir "${entry##*:}")/format.log"
  done
}

start_node() {
  local n="$1" dir
  dir="$(node_dir "$n")"
  if pid_alive "node$n"; then log "node $n: already running (pid $(owned_pid "node$n")), reusing"; return; fi
  port_open "$HOST" "$(broker_port "$n")" && fail "node $n: port $(broker_port "$n") is taken by a process cluster.sh did not start"
  port_open "$HOST" "$(controller_port "$n")" && fail "node $n: port $(controller_port "$n") is taken by a process cluster.sh did not start"
  [ -f "$dir/data/meta.properties" ] || fail "node $n: no storage in $dir/data; run: bash infra/local/cluster.sh up"
  LOG_FROM[$n]="$(stat -c %s "$dir/logs/server.log" 2>/dev/null || echo 0)"
  log "node $n: starting Kafka $KAFKA_VERSION (broker+controller) on $HOST:$(broker_port "$n"), controller $HOST:$(controller_port "$n")"
  # small heaps: three of these share a 2-core test machine with the stack and the services
  # KAFKA_JVM_OPTS (word-split) replaces the GC and JIT settings, as in stack.sh
  # shellcheck disable=SC2086
  nohup java -Xms256m -Xmx512m ${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20} -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -cp "$(kafka_cp)" kafka.Kafka "$dir/server.properties" >"$dir/kafka.out" 2>&1 9>&- &
  record_pid "node$n" $!
}

# ---------- health ----------
# A node is healthy when it answers on its client port as a registered, unfenced broker: a KRaft broker
# only serves requests once the quorum's leader has unfenced it, so that also says the quorum had a
# leader then; `up`, `start-broker` and `status` then ask the quorum for its leader now. Each question is
# a JVM (a Kafka tool): one round asks about every node at once.
ANSWERING="" LEADER=""

# The client addresses that accept connections: the tools are asked through these only, as they wait
# out their timeouts (a minute) when no broker answers.
open_brokers() {
  local n open=""
  for n in "${NODES[@]}"; do
    port_open "$HOST" "$(broker_port "$n")" && open+="${open:+,}$HOST:$(broker_port "$n")"
  done
  echo "$open"
}

ask_brokers() {
  local bootstrap
  ANSWERING="" bootstrap="$(open_brokers)"
  [ -n "$bootstrap" ] || return 0
  ANSWERING="$(kafka_tool org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$bootstrap" 2>/dev/null |
    sed -n 's/^[^ ]* (id: \([0-9]*\) rack: [^ ]* isFenced: false) -> ($/\1/p' | sort -u | paste -sd' ')" || ANSWERING=""
}

ask_leader() {
  local bootstrap
  LEADER="" bootstrap="$(open_brokers)"
  [ -n "$bootstrap" ] || return 1
  LEADER="$(kafka_tool org.apache.kafka.tools.MetadataQuorumCommand --bootstrap-server "$bootstrap" describe --status 2>/dev/null |
    sed -n 's/^LeaderId:[[:space:]]*\([0-9-]*\).*/\1/p')" || LEADER=""
  [ "${LEADER:--1}" -ge 0 ]
}

node_answers() { port_open "$HOST" "$(broker_port "$1")" && [[ " $ANSWERING " == *" $1 "* ]]; }

# Where node N's server.log stood when this run started it (0: whatever it logged before counts).
declare -A LOG_FROM=()

# Whether node N has logged, since this run started it, that it is up (after it was unfenced): a cheap
# look before asking the cluster, as each question is a JVM competing with the starting node for the CPU.
node_says_started() {
  tail -c +"$((${LOG_FROM[$1]:-0} + 1))" "$(node_dir "$1")/logs/server.log" 2>/dev/null |
    grep -q "\[KafkaRaftServer nodeId=$1\] Kafka Server started"
}

# wait_for's probe (it takes no arguments): the node in WAIT_NODE
WAIT_NODE=""
wait_node_probe() {
  port_open "$HOST" "$(broker_port "$WAIT_NODE")" && node_says_started "$WAIT_NODE" || return 1
  [[ " $ANSWERING " == *" $WAIT_NODE "* ]] || ask_brokers
  node_answers "$WAIT_NODE"
}

wait_node() {
  WAIT_NODE="$1"
  wait_for "node $1" wait_node_probe "$(node_dir "$1")/logs/server.log" "node$1"
}

# ---------- commands ----------
cmd_up() {
  local started=$SECONDS n
  take_lock
  check_java
  kafka_resolve
  for n in "${NODES[@]}"; do write_config "$n"; done
  format_nodes
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do wait_node "$n"; done
  wait_for quorum ask_leader "" ""
  log "cluster up in $((SECONDS - started))s: brokers $BROKERS, quorum leader node $LEADER"
  echo "KAFKA_BROKERS=$BROKERS"
}

cmd_down() {
  local n pid pids=() stopping=()
  take_lock
  for n in "${NODES[@]}"; do
    if pid="$(owned_pid "node$n")"; then pids+=("$pid"); fi
  done
  # all at once: one by one, each node's controlled shutdown would first move its leaderships to the others
  for n in "${NODES[@]}"; do
    stop_pid "node$n" &
    stopping+=("$!")
  done
  wait "${stopping[@]}"
  # a node stop_pid had to kill -9 (no quorum left for its controlled shutdown) may take a moment to go:
  # `down` returns when the nodes are gone
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}

cmd_status() {
  local n pid owner health rc=0
  ask_brokers
  ask_leader || true
  printf '%-6s %-20s %-20s %-9s %s\n' NODE BROKER CONTROLLER HEALTH PROCESS
  for n in "${NODES[@]}"; do
    owner="-"
    pid="$(owned_pid "node$n")" && owner="pid $pid, started by cluster.sh up"
    health=healthy
    node_answers "$n" || { health=DOWN; rc=1; }
    printf '%-6s %-20s %-20s %-9s %s\n' "$n" "$HOST:$(broker_port "$n")" "$HOST:$(controller_port "$n")" "$health" "$owner"
  done
  echo "quorum leader: ${LEADER:-none}"
  return $rc
}

cmd_kill_broker() {
  local n="$1" pid
  take_lock
  pid="$(owned_pid "node$n")" || fail "node $n: not running as started by cluster.sh up in $CLUSTER_DIR, so not killing anything"
  log "node $n: kill -9 pid $pid"
  kill -9 "$pid"
  # gone at once, unless nobody reaps it (a zombie still answers kill -0): at most 10 s
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$CLUSTER_DIR/node$n.pid"
}

cmd_start_broker() {
  local n="$1"
  take_lock
  check_java
  start_node "$n"
  wait_node "$n"
  wait_for quorum ask_leader "" ""
}

case "${1:-status}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  kill-broker) check_node "${2:-}" kill-broker && cmd_kill_broker "$2" ;;
  start-broker) check_node "${2:-}" start-broker && cmd_start_broker "$2" ;;
  *) echo "usage: $0 up|down|status|kill-broker N|start-broker N" >&2; exit 2 ;;
esac
