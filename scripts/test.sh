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
# System tools the checks use, from Debian's packages (npm's wrappers would download binaries from GitHub):
# `pnpm lint` needs shellcheck; promtool (package prometheus) checks the alert rules in infra/prometheus;
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v promtool >/dev/null || missing+=(prometheus)
# the dashboard's browser test drives Debian's Chromium with playwright-core (which downloads no browser)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ((${#missing[@]})); then
  echo "[test] installing ${missing[*]} (apt-get)"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  apt_install() { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  apt_install || { "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq && apt_install; }
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
