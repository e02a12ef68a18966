#!/usr/bin/env bash
# Build the govmomi battery (tests/govmomi/bin/govmomi-battery) and the capture dumper (bin/esxshape)
# from Debian's govmomi sources, offline.
# Needs: apt-get install golang-go golang-github-vmware-govmomi-dev. Without Go it says so and exits 0.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/bin/govmomi-battery"
if ! command -v go >/dev/null 2>&1; then
    echo "govmomi battery: go not found; its tests will be skipped (apt-get install golang-go golang-github-vmware-govmomi-dev)"
    exit 0
fi
if [[ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/find ]]; then
    echo "govmomi battery: govmomi sources not found; its tests will be skipped (apt-get install golang-github-vmware-govmomi-dev)"
    exit 0
fi
shape="$here/bin/esxshape"
newest="$(ls -t "$here"/*.go "$here"/esxshape/*.go | head -n 1)"
if [[ -x "$out" && "$out" -nt "$newest" && -x "$shape" && "$shape" -nt "$newest" ]]; then
    exit 0
fi
mkdir -p "$here/bin"
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-${TMPDIR:-/tmp}/vmesh-govmomi-gocache}" GOFLAGS=
(cd "$here" && go build -o "$out" .)
(cd "$here/esxshape" && go build -o "$shape" .)
echo "govmomi battery: built $out and $shape"
