#!/usr/bin/env bash
# Build the vcsim launcher (tests/vcsim/bin/vcsim-launch) from Debian's govmomi sources, offline.
# Needs: apt-get install golang-go golang-github-vmware-govmomi-dev. Without Go it says so and exits 0.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/bin/vcsim-launch"
if ! command -v go >/dev/null 2>&1; then
    echo "vcsim: go not found; vcsim tests will be skipped (apt-get install golang-go golang-github-vmware-govmomi-dev)"
    exit 0
fi
if [[ ! -d /usr/share/gocode/src/github.com/vmware/govmomi/simulator ]]; then
    echo "vcsim: govmomi sources not found; vcsim tests will be skipped (apt-get install golang-github-vmware-govmomi-dev)"
    exit 0
fi
if [[ -x "$out" && "$out" -nt "$here/main.go" ]]; then
    exit 0
fi
mkdir -p "$here/bin"
cd "$here"
export GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-${TMPDIR:-/tmp}/vmesh-vcsim-gocache}" GOFLAGS=
go build -o "$out" main.go
echo "vcsim: built $out"
