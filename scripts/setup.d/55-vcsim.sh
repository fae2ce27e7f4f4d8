#!/usr/bin/env bash
# vcsim (govmomi's vCenter simulator) and govc (its CLI), that the stack tests, the lab and
# bench/bench_stack.py run against; built with Go from the module proxy into
# $PROVDC_CACHE/govmomi-<ver>/bin. Skips itself when both binaries of that version are there.
#
# v0.56.0 is the newest govmomi the proxy serves (v0.56.1, v0.57.0 and later: "not available"),
# and the first release whose simulator customises and powers on a clone (CloneVM_Task with
# spec.customization and spec.powerOn; govmomi pull request 4052). Since v0.47 the two main
# packages live in their own modules (github.com/vmware/govmomi/vcsim, .../govc), which the
# proxy does not serve (404); the simulator and the govc commands are still packages of the
# github.com/vmware/govmomi module. So both programs are built here from a throwaway main
# module against govmomi v0.56.0:
# - vcsim: the flag front end of v0.46.0 (vcsim/main.go, the last one the proxy serves), with
#   its one use of an API that changed since (the package-level simulator.Map) patched;
# - govc: a main that registers every command package of .../cli and calls cli.Run, as
#   govc/main.go does.
set -euo pipefail
cache=${PROVDC_CACHE:-/var/cache/provdc}
ver=v0.56.0   # keep in step with provdc/stacks/vcsim.py VERSION
front=v0.46.0 # whose vcsim/main.go is the flag front end
bin="$cache/govmomi-$ver/bin"
if [ -x "$bin/vcsim" ] && [ -x "$bin/govc" ]; then
  type log >/dev/null 2>&1 && log "vcsim, govc $ver: present in $bin"
  exit 0
fi
export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS=-mod=mod GOTOOLCHAIN=local
export PATH="/usr/local/go/bin:$PATH"
mkdir -p "$bin"
start=$(date +%s)
work="$cache/govmomi-$ver/build"
rm -rf "$work"
mkdir -p "$work/vcsim" "$work/govc"
(
  cd "$work"
  go mod init provdc.local/govmomi >/dev/null 2>&1
  old=$(go mod download -json "github.com/vmware/govmomi@$front" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  sed 's/^\t\t\tsimulator\.Map,$/\t\t\tmodel.Map(),/' "$old/vcsim/main.go" >vcsim/main.go
  if grep -q 'simulator\.Map\b' vcsim/main.go; then
    echo "vcsim front end of $front: unexpected use of simulator.Map left" >&2
    exit 1
  fi
  go mod edit -require="github.com/vmware/govmomi@$ver"
  go mod download "github.com/vmware/govmomi@$ver"
  pkgs=$(go list "github.com/vmware/govmomi/cli/..." | grep -v -x -e github.com/vmware/govmomi/cli -e github.com/vmware/govmomi/cli/flags)
  {
    printf 'package main\n\nimport (\n\t"os"\n\n\t"github.com/vmware/govmomi/cli"\n'
    for p in $pkgs; do printf '\t_ "%s"\n' "$p"; done
    printf ')\n\nfunc main() { os.Exit(cli.Run(os.Args[1:])) }\n'
  } >govc/main.go
  go mod tidy >/dev/null
  ldflags="-s -w -X main.buildVersion=$ver -X github.com/vmware/govmomi/cli/flags.BuildVersion=$ver"
  nice go build -trimpath -ldflags "$ldflags" -o "$bin/" ./vcsim ./govc
)
rm -rf "$work"
"$bin/govc" version | grep -q "${ver#v}"
type log >/dev/null 2>&1 && log "vcsim, govc $ver: built in $bin in $(( $(date +%s) - start )) s"
exit 0
