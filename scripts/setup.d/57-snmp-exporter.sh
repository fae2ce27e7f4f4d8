#!/usr/bin/env bash
# Prometheus snmp_exporter, the peer of the SNMP poll benchmark (bench/bench_monitor.py) and the
# exporter the generated snmp.yml (provdc.monitoring.snmp_exporter_config) is tested against.
# No release tarball is reachable here: built with Go from the module proxy into
# $PROVDC_CACHE/snmp_exporter-<ver>/bin. `go install` refuses a module with replace directives,
# so a throwaway main module requires it (`go get`) and `go build`s its main package.
set -euo pipefail
cache=${PROVDC_CACHE:-/var/cache/provdc}
ver=v0.29.0
mod=github.com/prometheus/snmp_exporter
bin="$cache/snmp_exporter-$ver/bin"
if [ -x "$bin/snmp_exporter" ]; then
  type log >/dev/null 2>&1 && log "snmp_exporter $ver: present in $bin"
  exit 0
fi
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-mod=mod GOTOOLCHAIN=local
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$bin" "$GOMODCACHE" "$GOCACHE"
start=$(date +%s)
work="$cache/snmp_exporter-$ver/build"
rm -rf "$work"; mkdir -p "$work"
(
  cd "$work"
  go mod init provdc.local/build-snmp-exporter >/dev/null 2>&1
  go get "$mod@$ver"
  nice go build -trimpath -ldflags "-s -w -X github.com/prometheus/common/version.Version=${ver#v}" \
    -o "$bin/snmp_exporter.tmp" "$mod"
)
mv "$bin/snmp_exporter.tmp" "$bin/snmp_exporter"
rm -rf "$work"
chmod -R a+rX "$cache/snmp_exporter-$ver"
type log >/dev/null 2>&1 && log "snmp_exporter $ver: built in $bin in $(( $(date +%s) - start )) s"
exit 0
