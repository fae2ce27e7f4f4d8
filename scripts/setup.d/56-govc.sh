#!/usr/bin/env bash
# govc, govmomi's CLI: the sequential baseline of bench/bench_stack.py.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/55-vcsim.sh" govc
