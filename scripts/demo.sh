#!/usr/bin/env bash
# The README's main command: installs what it needs, brings the stack up and runs the main job.
# The stack stays up afterwards (stop it with `bash infra/local/stack.sh down`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh

# Starts services/<name> as its own process, as in production, unless an earlier demo's is still running; it
# keeps running after the demo (stop: kill $(cat .stack/demo/<name>.pid)).
start_service() {
  local name=$1 what=$2 extra=$3 pid_file=".stack/demo/$1.pid"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "($what started by an earlier demo is still running: pid $(cat "$pid_file"))"
  else
    nohup node "services/$name/dist/main.js" >>".stack/demo/$name.log" 2>&1 &
    echo $! >"$pid_file"
    echo "($what started: pid $(cat "$pid_file"), logs in .stack/demo/$name.log, $extra)"
  fi
}
pnpm install --frozen-lockfile --reporter=silent
pnpm exec tsc -b
bash infra/local/stack.sh up
echo
echo "== smoke flow: one event through registry, Kafka, Avro, PostgreSQL and BullMQ =="
node e2e/dist/cli/smoke.js
echo
echo "== events in: 20 000 keyed Avro UserEvents with disorder, 1 % late, 0.5 % duplicates, v1/v2 mix =="
mkdir -p .stack/demo
node services/generator/dist/cli/generate.js --count 20000 --rate 10000 --keys 2000 --zipf 1.1 --disorder 5s \
  --late-fraction 0.01 --lateness 1m..10m --duplicates 0.005 --v1-fraction 0.2 --event-time-per-second 1h \
  --jsonl .stack/demo/events.jsonl >/dev/null
echo "(every produced record, with its partition, offset and record timestamp: .stack/demo/events.jsonl)"
echo
echo "== speed layer: every pipeline of pipelines.yaml as a streaming job (v1), exactly-once into PostgreSQL =="
start_service speed "the speed service" "metrics on :3002/metrics"
node services/speed/dist/cli/speed-report.js --wait 120 --rows 2
echo
echo "== replays on the batch workers (BullMQ): a Lambda batch run of each pipeline, a Kappa replay as the next version =="
start_service batch "a batch worker" "it takes the replay jobs"
for pipeline in user_activity_1m user_activity_5m_sliding user_sessions; do
  node services/batch/dist/cli/replay.js --mode batch --pipeline "$pipeline" --wait
done
node services/batch/dist/cli/replay.js --mode kappa --pipeline user_activity_1m --wait
echo
echo "== comparison: Lambda (the batch run where it covers a window, else speed) vs Kappa, row by row =="
start_service merge "the merge service" "it compares after every replay and every 10 min, metrics on :3004/metrics"
for pipeline in user_activity_1m user_activity_5m_sliding user_sessions; do
  node services/merge/dist/cli/compare.js --pipeline "$pipeline"
done
echo
echo "== admin API: replays, comparisons, results, lag (OpenAPI at /docs) and the lk CLI =="
# a token of this demo's own for the mutating calls, kept beside its pid files
[ -s .stack/demo/admin-token ] || node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('hex'))" >.stack/demo/admin-token
ADMIN_TOKEN="$(cat .stack/demo/admin-token)" start_service admin "the admin API" "http://127.0.0.1:3000/docs"
for _ in $(seq 1 50); do curl -fs -o /dev/null http://127.0.0.1:3000/health && break; sleep 0.2; done
LK_TOKEN="$(cat .stack/demo/admin-token)" node services/admin/dist/cli/lk.js lag
echo "(try: LK_TOKEN=\$(cat .stack/demo/admin-token) node services/admin/dist/cli/lk.js replay --mode batch --pipeline user_sessions --watch)"
echo
bash infra/local/stack.sh status
