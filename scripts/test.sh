#!/usr/bin/env bash
# The README's test command: installs what it needs (Node 24, pnpm, dependencies, Kafka and registry jars),
# brings the native stack up (or reuses a healthy one), runs lint + unit + integration + e2e, and stops
# what it started, also when tests fail.
#
# What takes time runs side by side: the stack's JVMs start while TypeScript builds and lint runs, and the
# fault suites, which restart a stack of their own (vitest project e2e-own-stack: chaos, speed faults), run
# as a lane of their own beside all the others, which share the stack. With arguments, one `vitest run` with
# them instead (e.g. `bash scripts/test.sh --project unit`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
started=$SECONDS
phase_started=$SECONDS
phase() {
  echo "[test] $1 in $((SECONDS - phase_started))s"
  phase_started=$SECONDS
}
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
phase "toolchain and dependencies"

# The stack: reused when healthy (started by someone else, so not stopped afterwards), else started in the
# background now — its JVMs take the longest — and stopped on exit. Its data (migrations, contract schemas)
# needs the build, so it is set up once both are done.
mkdir -p .stack
stack_log=.stack/test-stack-up.log
stack_pid=""
if bash infra/local/stack.sh healthy 2>/dev/null; then
  echo "[test] reusing the running stack"
else
  STACK_SKIP_MIGRATE=1 bash infra/local/stack.sh up >"$stack_log" 2>&1 &
  stack_pid=$!
  # whatever happens from here on (a failed build, lint or test): the stack up finishes, then goes down
  trap 'wait "$stack_pid" 2>/dev/null; bash infra/local/stack.sh down' EXIT
fi

pnpm exec tsc -b
phase "build (tsc -b)"
pnpm run -s lint
phase "lint"
if [ -n "$stack_pid" ]; then
  if ! wait "$stack_pid"; then
    cat "$stack_log" >&2
    echo "[test] the stack did not come up" >&2
    exit 1
  fi
  cat "$stack_log"
fi
# this checkout's migrations and contract schemas, also on a stack someone else started
bash infra/local/stack.sh setup
phase "stack up"

if (($#)); then
  pnpm exec vitest run "$@"
else
  # two lanes at once; each lane's report says what it ran, the exit codes are collected below
  reports=.stack/test-reports
  mkdir -p "$reports"
  lane() {
    local name=$1
    shift
    local lane_started=$SECONDS rc=0
    pnpm exec vitest run "$@" --reporter=default --reporter=json --outputFile.json="$reports/$name.json" || rc=$?
    echo "[test] lane $name: exit $rc after $((SECONDS - lane_started))s"
    return "$rc"
  }
  lane own-stacks --project e2e-own-stack &
  own_stacks=$!
  shared_rc=0 own_rc=0
  lane shared-stack --project unit --project integration --project e2e || shared_rc=$?
  wait "$own_stacks" || own_rc=$?
  phase "tests (per-file timings: $reports/*.json)"
  if ((shared_rc || own_rc)); then
    echo "[test] FAILED: shared-stack lane exit $shared_rc, own-stacks lane exit $own_rc" >&2
    exit 1
  fi
fi
echo "[test] all tests passed in $((SECONDS - started))s"
