#!/usr/bin/env bash
# The Pulumi engine (CLI + Python language host), pinned to the version of the
# `pulumi` Python package in pyproject.toml. No prebuilt download is reachable
# here, so it is built with Go from the Go module proxy and cached in
# $PROVDC_CACHE/pulumi-<ver>/bin. Skips itself when that bin dir is complete.
set -euo pipefail
root=${PROVDC_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cache=${PROVDC_CACHE:-/var/cache/provdc}
ver=$(sed -n 's/.*"pulumi==\([0-9.]*\)".*/\1/p' "$root/pyproject.toml" | head -1)
[ -n "$ver" ] || { echo "pulumi pin not found in pyproject.toml" >&2; exit 1; }
bin="$cache/pulumi-$ver/bin"
want=(pulumi pulumi-language-python-exec pulumi-resource-pulumi-python)
complete=1
for b in "${want[@]}"; do [ -x "$bin/$b" ] || complete=0; done
if [ $complete -eq 1 ] && "$bin/pulumi" version 2>/dev/null | grep -qx "v$ver"; then
  type log >/dev/null 2>&1 && log "pulumi $ver: present in $bin"
  exit 0
fi

export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-mod=mod GOTOOLCHAIN=local
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$bin" "$GOMODCACHE" "$GOCACHE"
start=$(date +%s)
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$ver"

# Non-local replace directives of a downloaded go.mod, as `go mod edit` flags.
replaces() {
  awk '
    /^replace \(/ { inblock=1; next }
    inblock && /^\)/ { inblock=0; next }
    /^replace / { sub(/^replace /, ""); print; next }
    inblock { print }
  ' "$1" | awk '$3 == "=>" && $4 !~ /^\./ && NF >= 5 { printf "-replace=%s=%s@%s\n", $1, $4, $5 }
                $3 == "=>" && $4 !~ /^\./ && NF == 4 { printf "-replace=%s=%s\n", $1, $4 }
                $2 == "=>" && $3 !~ /^\./ && NF == 4 { printf "-replace=%s=%s@%s\n", $1, $3, $4 }'
}

# Builds package $2 of module $1@$3 from a throwaway main module that repeats
# the module's non-local replaces (replaces only apply in the main module).
build_from() {
  local mod=$1 pkg=$2 modver=$3 out=$4 work
  work="$cache/pulumi-$ver/build-$(basename "$out")"
  rm -rf "$work"; mkdir -p "$work"
  (
    cd "$work"
    go mod init provdc.local/build >/dev/null 2>&1
    go mod download "$mod@$modver"
    local gomod
    gomod=$(go mod download -json "$mod@$modver" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    # shellcheck disable=SC2046
    go mod edit -require="$mod@$modver" -require="github.com/pulumi/pulumi/sdk/v3@v$ver" $(replaces "$gomod")
    nice go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg"
  )
  rm -rf "$work"
}

if ! [ -x "$bin/pulumi" ] || ! "$bin/pulumi" version 2>/dev/null | grep -qx "v$ver"; then
  build_from github.com/pulumi/pulumi/pkg/v3 github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "v$ver" "$bin/pulumi"
fi

# The Python language host is its own module. Where the proxy serves it at the
# release tag it is built; otherwise it is left out: provdc runs inline
# Automation API programs, whose language runtime is served by the Python
# process itself (`pulumi up --client`), so the engine never starts it.
lh_mod=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
if ! [ -x "$bin/pulumi-language-python" ]; then
  if go list -m "$lh_mod@v$ver" >/dev/null 2>&1; then
    build_from "$lh_mod" "$lh_mod" "v$ver" "$bin/pulumi-language-python"
  else
    type log >/dev/null 2>&1 && log "pulumi-language-python v$ver: not served by the module proxy; inline programs do not need it"
  fi
fi

# The two scripts the CLI tarball ships come from the sdk/v3 module tree.
sdk_dir=$(go mod download -json "github.com/pulumi/pulumi/sdk/v3@v$ver" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$bin/pulumi-resource-pulumi-python"

"$bin/pulumi" version | grep -qx "v$ver"
type log >/dev/null 2>&1 && log "pulumi $ver: built in $bin in $(( $(date +%s) - start )) s"
exit 0
