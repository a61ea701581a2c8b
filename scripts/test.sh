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
# promtool checks the Prometheus alert rules (infra/prometheus); Debian ships it in its prometheus package
if ! command -v promtool >/dev/null; then
  echo "[test] installing promtool (Debian package prometheus)"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends prometheus >/dev/null ||
    { $sudo_cmd apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends prometheus >/dev/null; }
fi
# `pnpm lint` runs shellcheck, a Debian package; npm's wrapper would download it from GitHub
if ! command -v shellcheck >/dev/null; then
  echo "[test] installing shellcheck (apt-get)"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null ||
    { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq && "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
fi
pnpm install --frozen-lockfile --reporter=silent
pnpm exec tsc -b
pnpm run -s lint

if bash infra/local/stack.sh healthy 2>/dev/null; then
  # started by someone else, so not stopped afterwards; but this checkout's migrations and contract
  # schemas may be newer than what that stack got: apply them
  echo "[test] reusing the running stack (applying migrations, registering the contract schemas)"
  bash infra/local/stack.sh setup
else
  trap 'bash infra/local/stack.sh down' EXIT
  bash infra/local/stack.sh up
fi

pnpm exec vitest run "$@"
echo "[test] all tests passed in $((SECONDS - started))s"
