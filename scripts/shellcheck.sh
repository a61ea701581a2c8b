#!/usr/bin/env bash
# Part of `pnpm lint`: shellcheck over every shell script in the repository (Debian package `shellcheck`;
# scripts/test.sh installs it when missing). Sourced files are followed (-x), relative to each script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v shellcheck >/dev/null; then
  echo "shellcheck is not installed: apt-get install shellcheck (scripts/test.sh does it for you)" >&2
  exit 1
fi
mapfile -t scripts < <(git ls-files -co --exclude-standard '*.sh' .ci/run)
shellcheck -x -P SCRIPTDIR "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
