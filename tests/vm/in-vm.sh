#!/bin/bash
# tests/vm/in-vm.sh: what tests/run.sh's vm suite runs inside ../shared/vm/vm-run's
# VM: the VM's devtmpfs lacks the /dev/fd links that bats' process substitutions
# need; then the bats suite of this directory.
set -e
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
# the VM emulates its CPU (TCG): give each runtime call more time
export RT_TIMEOUT=${RT_TIMEOUT:-90}
exec bats --tap "$(dirname "${BASH_SOURCE[0]}")"
