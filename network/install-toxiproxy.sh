#!/usr/bin/env bash
# Builds Shopify's toxiproxy v2.5.0 server into <repo>/.tools/toxiproxy/bin (gitignored): the TCP
# proxy network/netcut.sh puts between one org's peer and the orderers for the fault suite's
# network cut. Pinned and built like Fabric (network/install-fabric.sh): a wrapper module,
# network/toxiproxy-build/, whose committed go.sum fixes every dependency; a stamp skips the
# build when the same version is there (cold Go cache ~25 s, warm: none).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOXIPROXY_VERSION=2.5.0
DEST=$ROOT/.tools/toxiproxy
STAMP=$DEST/VERSION
WANT="toxiproxy v$TOXIPROXY_VERSION"

say() { echo "install-toxiproxy: $*" >&2; }

if [ -x "$DEST/bin/toxiproxy-server" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then
  exit 0
fi
command -v go >/dev/null 2>&1 || { say "Go is not installed (needed to build $WANT; Go >= 1.24)"; exit 1; }

cd "$ROOT/network/toxiproxy-build"
mkdir -p "$DEST/bin"
start=$SECONDS
say "building $WANT with $(go version | cut -d' ' -f3)"
go build -mod=readonly -trimpath \
  -ldflags "-X github.com/Shopify/toxiproxy/v2.Version=$TOXIPROXY_VERSION" \
  -o "$DEST/bin/toxiproxy-server" github.com/Shopify/toxiproxy/v2/cmd/server
echo "$WANT" >"$STAMP"
say "done in $((SECONDS - start)) s: $("$DEST/bin/toxiproxy-server" -version 2>&1 | head -1)"
