//go:build tools

// Package tools pins Hyperledger Fabric v3.1.1 (commit 435a7f1a780a) so that
// network/install-fabric.sh can `go build` its command-line tools from the Go
// module proxy. Fabric's module path has no /v3 suffix, so the release is
// required as a pseudo-version in go.mod.
package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/configtxlator"
	_ "github.com/hyperledger/fabric/cmd/cryptogen"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
