//go:build tools

// Package tools pins Shopify's toxiproxy v2.5.0 (the newest the Go module proxy serves here) so
// that network/install-toxiproxy.sh can `go build` its server, the TCP proxy through which the
// fault suite cuts one org's link to the orderers (network/netcut.sh).
package tools

import (
	_ "github.com/Shopify/toxiproxy/v2/cmd/server"
)
