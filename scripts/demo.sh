#!/usr/bin/env bash
# The README's main command: installs what it needs, brings the stack up and runs the main job.
# The stack stays up afterwards (stop it with `bash infra/local/stack.sh down`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=toolchain.sh
source scripts/toolchain.sh
pnpm install --frozen-lockfile --reporter=silent
pnpm exec tsc -b
bash infra/local/stack.sh up
echo
echo "== smoke flow: one event through registry, Kafka, Avro, PostgreSQL and BullMQ =="
node e2e/dist/cli/smoke.js
echo
bash infra/local/stack.sh status
