#!/usr/bin/env bash
# vcsim, govmomi's vCenter simulator, that the stack tests and the lab run
# against; built with Go from the module proxy into $PROVDC_CACHE/govmomi-<ver>/bin.
set -euo pipefail
cache=${PROVDC_CACHE:-/var/cache/provdc}
ver=v0.46.0  # the last release whose module still holds vcsim and govc (later: own modules, not on the proxy)
tool=${1:-vcsim}
bin="$cache/govmomi-$ver/bin"
if [ -x "$bin/$tool" ]; then
  type log >/dev/null 2>&1 && log "$tool $ver: present in $bin"
  exit 0
fi
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-mod=mod GOTOOLCHAIN=local GOBIN="$bin"
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$bin"
start=$(date +%s)
nice go install -trimpath -ldflags "-s -w" "github.com/vmware/govmomi/$tool@$ver"
type log >/dev/null 2>&1 && log "$tool $ver: built in $bin in $(( $(date +%s) - start )) s"
exit 0
