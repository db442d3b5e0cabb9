// Command policycost measures what Fabric's own signature-policy evaluator (common/cauthdsl, at
// the pinned commit) spends on one signed message against a channel Readers or Writers policy of
// the shape lib/generate.sh application_member_rule writes — one OR over every member's principals
// — as the number of members grows. Each proposal's ACL check, each orderer broadcast and each
// gossip StateInfo message is such an evaluation, so this is the per-message price of a large
// channel (network/README.md, Consortium mode, At 864 members).
//
// Usage: policycost <msp dir> <msp id> [members…]   (the MSP dir of an identity that signs, e.g.
// a cryptogen Admin@…/msp; members default to 4 128 866 2000)
// stdout: {benchmark, at, cpus, results: [{members, shape, principals, usPerEvaluation}, …]}
// (test/bench/run.sh writes it to test/bench/results/policy-cost.json).
// Shapes: "roles" — admin, peer and client of each member (the Readers before); "member" — one
// MEMBER principal per member (the Readers now); "writers" — admin and client of each (the Writers).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-lib-go/bccsp/factory"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric/common/cauthdsl"
	"github.com/hyperledger/fabric/msp"
	"github.com/hyperledger/fabric/protoutil"
	"google.golang.org/protobuf/proto"
)

type result struct {
	Members         int     `json:"members"`
	Shape           string  `json:"shape"`
	Principals      int     `json:"principals"`
	UsPerEvaluation float64 `json:"usPerEvaluation"`
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "policycost:", err)
	os.Exit(1)
}

func principal(mspID string, role mb.MSPRole_MSPRoleType) *mb.MSPPrincipal {
	raw, err := proto.Marshal(&mb.MSPRole{MspIdentifier: mspID, Role: role})
	if err != nil {
		fail(err)
	}
	return &mb.MSPPrincipal{PrincipalClassification: mb.MSPPrincipal_ROLE, Principal: raw}
}

// envelope: the signer's org last, as in a channel where it is one member among many (the
// evaluator has no short cut: every principal is tried whatever its place).
func envelope(members int, roles []mb.MSPRole_MSPRoleType, signerMsp string) *cb.SignaturePolicyEnvelope {
	env := &cb.SignaturePolicyEnvelope{Version: 0}
	var rules []*cb.SignaturePolicy
	for i := 0; i < members; i++ {
		id := fmt.Sprintf("Member%dMSP", i)
		if i == members-1 {
			id = signerMsp
		}
		for _, role := range roles {
			env.Identities = append(env.Identities, principal(id, role))
			rules = append(rules, &cb.SignaturePolicy{Type: &cb.SignaturePolicy_SignedBy{SignedBy: int32(len(env.Identities) - 1)}})
		}
	}
	env.Rule = &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: 1, Rules: rules}}}
	return env
}

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: policycost <msp dir> <msp id> [members…]"))
	}
	dir, mspID := os.Args[1], os.Args[2]
	counts := []int{4, 128, 866, 2000}
	if len(os.Args) > 3 {
		counts = nil
		for _, a := range os.Args[3:] {
			n, err := strconv.Atoi(a)
			if err != nil || n < 1 {
				fail(fmt.Errorf("members: %q is not a positive number", a))
			}
			counts = append(counts, n)
		}
	}
	conf, err := msp.GetLocalMspConfig(dir, nil, mspID)
	if err != nil {
		fail(err)
	}
	local, err := msp.New(&msp.BCCSPNewOpts{NewBaseOpts: msp.NewBaseOpts{Version: msp.MSPv1_4_3}}, factory.GetDefault())
	if err != nil {
		fail(err)
	}
	if err := local.Setup(conf); err != nil {
		fail(err)
	}
	manager := msp.NewMSPManager()
	if err := manager.Setup([]msp.MSP{local}); err != nil {
		fail(err)
	}
	signer, err := local.GetDefaultSigningIdentity()
	if err != nil {
		fail(err)
	}
	creator, err := signer.Serialize()
	if err != nil {
		fail(err)
	}
	message := []byte("a proposal's bytes")
	signature, err := signer.Sign(message)
	if err != nil {
		fail(err)
	}
	signed := []*protoutil.SignedData{{Data: message, Identity: creator, Signature: signature}}
	shapes := []struct {
		name  string
		roles []mb.MSPRole_MSPRoleType
	}{
		{"roles", []mb.MSPRole_MSPRoleType{mb.MSPRole_ADMIN, mb.MSPRole_PEER, mb.MSPRole_CLIENT}},
		{"member", []mb.MSPRole_MSPRoleType{mb.MSPRole_MEMBER}},
		{"writers", []mb.MSPRole_MSPRoleType{mb.MSPRole_ADMIN, mb.MSPRole_CLIENT}},
	}
	provider := cauthdsl.NewPolicyProvider(manager)
	var results []result
	for _, members := range counts {
		for _, shape := range shapes {
			env := envelope(members, shape.roles, mspID)
			raw, err := proto.Marshal(env)
			if err != nil {
				fail(err)
			}
			policy, _, err := provider.NewPolicy(raw)
			if err != nil {
				fail(err)
			}
			if err := policy.EvaluateSignedData(signed); err != nil {
				fail(fmt.Errorf("%d members, %s: the signer does not satisfy the policy: %w", members, shape.name, err))
			}
			// Enough rounds for about a second of work at each size.
			rounds := 200000 / (members * len(shape.roles))
			if rounds < 20 {
				rounds = 20
			}
			start := time.Now()
			for i := 0; i < rounds; i++ {
				if err := policy.EvaluateSignedData(signed); err != nil {
					fail(err)
				}
			}
			us := float64(time.Since(start).Microseconds()) / float64(rounds)
			results = append(results, result{Members: members, Shape: shape.name, Principals: len(env.Identities), UsPerEvaluation: float64(int(us*10)) / 10})
		}
	}
	report := map[string]any{
		"benchmark":   "policy-cost",
		"description": "Fabric's cauthdsl evaluating one signed message against an OR over every member's principals (channel Readers/Writers as lib/generate.sh writes them)",
		"at":          time.Now().UTC().Format(time.RFC3339),
		"cpus":        runtime.NumCPU(),
		"results":     results,
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(report); err != nil {
		fail(err)
	}
}
