#!/usr/bin/env bash
# The README's test command: installs what it needs (Node 24, pnpm, dependencies, Kafka and registry jars),
# brings the native stack up (or reuses a healthy one), runs lint + unit + integration + e2e, and stops
# what it started, also when tests fail.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
# shellcheck source=toolchain.sh
source scripts/toolchain.sh
echo "[test] node $(node -v), pnpm $(pnpm -v)"
pnpm install --frozen-lockfile --reporter=silent
pnpm exec tsc -b
pnpm run -s lint

if bash infra/local/stack.sh healthy 2>/dev/null; then
  echo "[test] reusing the running stack"
  STACK_SKIP_MIGRATE=0 bash infra/local/stack.sh up
else
  trap 'bash infra/local/stack.sh down' EXIT
  bash infra/local/stack.sh up
fi

pnpm exec vitest run "$@"
echo "[test] all tests passed in $((SECONDS - started))s"
