// Command rangehash prints Fabric's own Merkle summaries of range-query results, built by
// rwsetutil.RangeQueryResultsHelper exactly as a simulating peer builds them, so that
// test/src/tools/range-merkle.test.ts can hold clients/sdk/src/validation-replay.ts
// (rangeMerkleSummary) against Fabric's code rather than against our reading of it.
//
// stdin: [{"maxDegree": n, "reads": [{"key": k, "block": b, "tx": t}, …]}, …]
// stdout: [{"raw": count of raw reads left, "maxLevel": l, "maxLevelHashes": [hex, …]}, …]
// (maxLevel and maxLevelHashes absent when Fabric records the raw reads instead).
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric/core/ledger/kvledger/txmgmt/rwsetutil"
)

type read struct {
	Key   string `json:"key"`
	Block uint64 `json:"block"`
	Tx    uint64 `json:"tx"`
}

type query struct {
	MaxDegree uint32 `json:"maxDegree"`
	Reads     []read `json:"reads"`
}

type summary struct {
	Raw            int      `json:"raw"`
	MaxLevel       *uint32  `json:"maxLevel,omitempty"`
	MaxLevelHashes []string `json:"maxLevelHashes,omitempty"`
}

func sha(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	return sum[:], nil
}

func summarise(q query) (summary, error) {
	helper, err := rwsetutil.NewRangeQueryResultsHelper(true, q.MaxDegree, sha)
	if err != nil {
		return summary{}, err
	}
	for _, r := range q.Reads {
		if err := helper.AddResult(&kvrwset.KVRead{Key: r.Key, Version: &kvrwset.Version{BlockNum: r.Block, TxNum: r.Tx}}); err != nil {
			return summary{}, err
		}
	}
	raw, merkle, err := helper.Done()
	if err != nil {
		return summary{}, err
	}
	out := summary{Raw: len(raw)}
	if merkle != nil {
		level := merkle.MaxLevel
		out.MaxLevel = &level
		out.MaxLevelHashes = []string{}
		for _, h := range merkle.MaxLevelHashes {
			out.MaxLevelHashes = append(out.MaxLevelHashes, hex.EncodeToString(h))
		}
	}
	return out, nil
}

func main() {
	var queries []query
	if err := json.NewDecoder(os.Stdin).Decode(&queries); err != nil {
		fmt.Fprintln(os.Stderr, "rangehash:", err)
		os.Exit(2)
	}
	results := make([]summary, 0, len(queries))
	for _, q := range queries {
		s, err := summarise(q)
		if err != nil {
			fmt.Fprintln(os.Stderr, "rangehash:", err)
			os.Exit(1)
		}
		results = append(results, s)
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "rangehash:", err)
		os.Exit(1)
	}
}
