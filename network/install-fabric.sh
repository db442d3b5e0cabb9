#!/usr/bin/env bash
# Installs the Fabric v3.1.1 command-line tools into <repo>/.fabric/bin (gitignored) and Fabric's
# default node configuration (core.yaml, orderer.yaml) into <repo>/.fabric/config.
#
# Why a wrapper module (network/fabric-build/): the Go module proxy here refuses
# `go install pkg@<commit>`, and Fabric's module path has no /v3, so the release is pinned as a
# pseudo-version in our own go.mod/go.sum and the tools are `go build`-ed from there.
#
# FABRIC_BIN=<dir of official release binaries>: use those, build nothing (their config/ sits
# next to bin/ in the release tarball).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FABRIC_VERSION=3.1.1
FABRIC_COMMIT=435a7f1a780a
TOOLS=(peer orderer configtxgen configtxlator cryptogen osnadmin)
DEST=$ROOT/.fabric
STAMP=$DEST/VERSION
WANT="fabric v$FABRIC_VERSION ($FABRIC_COMMIT)"

say() { echo "install-fabric: $*" >&2; }

if [ -n "${FABRIC_BIN:-}" ]; then
  for t in "${TOOLS[@]}"; do
    [ -x "$FABRIC_BIN/$t" ] || { say "FABRIC_BIN=$FABRIC_BIN has no executable '$t'"; exit 1; }
  done
  say "using official binaries in FABRIC_BIN=$FABRIC_BIN (nothing built)"
  "$FABRIC_BIN/peer" version
  exit 0
fi

have_all() {
  local t
  for t in "${TOOLS[@]}"; do [ -x "$DEST/bin/$t" ] || return 1; done
  [ -f "$DEST/config/core.yaml" ] && [ -f "$DEST/config/orderer.yaml" ]
}

if have_all && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  say "$WANT already installed in $DEST/bin"
  "$DEST/bin/peer" version
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  say "Go is not installed (needed to build Fabric v$FABRIC_VERSION; Go >= 1.24)."
  say "Install Go, or point FABRIC_BIN at a directory of official Fabric v$FABRIC_VERSION binaries."
  exit 1
fi

cd "$ROOT/network/fabric-build"
mkdir -p "$DEST/bin" "$DEST/config"
# Stamp the version into the binaries: a module build otherwise reports "Version: latest".
LDFLAGS="-X github.com/hyperledger/fabric/common/metadata.Version=$FABRIC_VERSION"
LDFLAGS+=" -X github.com/hyperledger/fabric/common/metadata.CommitSHA=$FABRIC_COMMIT"
start=$SECONDS
say "building $WANT with $(go version | cut -d' ' -f3) (cold Go cache: ~2 min, warm: seconds)"
# go.sum is committed, so a read-only module graph is enough and the repo stays clean.
go mod download github.com/hyperledger/fabric
for t in "${TOOLS[@]}"; do
  t0=$SECONDS
  go build -mod=readonly -trimpath -ldflags "$LDFLAGS" -o "$DEST/bin/$t" "github.com/hyperledger/fabric/cmd/$t"
  say "  $t built in $((SECONDS - t0)) s (total $((SECONDS - start)) s)"
done

# The nodes read their defaults from core.yaml/orderer.yaml (every setting we care about is then
# overridden by environment variables in network/lib/nodes.sh); take them from the same release.
src=$(go list -mod=readonly -m -f '{{.Dir}}' github.com/hyperledger/fabric)
install -m 644 "$src/sampleconfig/core.yaml" "$src/sampleconfig/orderer.yaml" "$DEST/config/"
echo "$WANT" >"$STAMP"
say "done in $((SECONDS - start)) s"
"$DEST/bin/peer" version
