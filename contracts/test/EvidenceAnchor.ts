import { expect } from "chai";
import { network } from "hardhat";

/**
 * EvidenceAnchor tests. One simulated network per file (`network.create()`), state reset
 * between tests through `loadFixture` snapshots.
 */
const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const { AbiCoder, ZeroAddress, ZeroHash, concat, keccak256, toUtf8Bytes } = ethers;

/** Sorted-pair keccak256, identical to EvidenceAnchor._hashPair. */
function hashPair(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/**
 * A minimal sorted-pair Merkle tree. An odd node at the end of a level is promoted unchanged,
 * so proofs may be shorter than the tree height for that leaf.
 */
function buildTree(leaves: readonly string[]): { root: string; proofs: string[][] } {
  if (leaves.length === 0) throw new Error("empty tree");
  const proofs: string[][] = leaves.map(() => []);
  // positions[i] = index of leaf i's ancestor in the current level
  let positions = leaves.map((_, i) => i);
  let level = [...leaves];
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? hashPair(level[i]!, level[i + 1]!) : level[i]!);
    }
    positions = positions.map((pos, leaf) => {
      const sibling = pos ^ 1;
      if (sibling < level.length) proofs[leaf]!.push(level[sibling]!);
      return pos >> 1;
    });
    level = next;
  }
  return { root: level[0]!, proofs };
}

/** Leaf for an evidence document hash: double keccak so a leaf can never be an inner node. */
function leafOf(evidence: string): string {
  return keccak256(keccak256(toUtf8Bytes(evidence)));
}

/** ledgerRef = keccak256(abi.encode(channel, blockNumber, txId)). */
function ledgerRefOf(channel: string, blockNumber: bigint, txId: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint64", "string"], [channel, blockNumber, txId]));
}

const EVIDENCE = [
  "confirmation:ACME-2025-001:bank-response.pdf",
  "confirmation:ACME-2025-001:auditor-request.json",
  "confirmation:ACME-2025-002:bank-response.pdf",
  "mortgage:LR-778812:registration.xml",
  "scf:INV-55310:invoice.pdf",
];
const LEAVES = EVIDENCE.map(leafOf);
const TREE = buildTree(LEAVES);
const LEDGER_REF = ledgerRefOf("econfirm-channel", 4242n, "9f1c0d5e7a3b");
const URI = "econfirm://batches/2025-06-30T12:00:00Z";

async function deployFixture() {
  const [owner, anchorer, stranger, other] = await ethers.getSigners();
  const contract = await ethers.deployContract("EvidenceAnchor", [owner!.address]);
  return { contract, owner: owner!, anchorer: anchorer!, stranger: stranger!, other: other! };
}

async function withAnchorerFixture() {
  const fixture = await deployFixture();
  await fixture.contract.addAnchorer(fixture.anchorer.address);
  return fixture;
}

describe("EvidenceAnchor", function () {
  describe("deployment", function () {
    it("sets the owner and emits OwnershipTransferred from the zero address", async function () {
      const { contract, owner } = await loadFixture(deployFixture);
      expect(await contract.owner()).to.equal(owner.address);
      await expect(contract.deploymentTransaction())
        .to.emit(contract, "OwnershipTransferred")
        .withArgs(ZeroAddress, owner.address);
    });

    it("does not make the owner an anchorer", async function () {
      const { contract, owner } = await loadFixture(deployFixture);
      expect(await contract.isAnchorer(owner.address)).to.equal(false);
    });

    it("reverts with AnchorZeroAddress for a zero initial owner", async function () {
      const { contract } = await loadFixture(deployFixture);
      await expect(ethers.deployContract("EvidenceAnchor", [ZeroAddress]))
        .to.be.revertedWithCustomError(contract, "AnchorZeroAddress")
        .withArgs();
    });
  });

  describe("ownership", function () {
    it("transfers ownership and emits OwnershipTransferred", async function () {
      const { contract, owner, other } = await loadFixture(deployFixture);
      await expect(contract.transferOwnership(other.address))
        .to.emit(contract, "OwnershipTransferred")
        .withArgs(owner.address, other.address);
      expect(await contract.owner()).to.equal(other.address);
    });

    it("removes the previous owner's rights after a transfer", async function () {
      const { contract, owner, other, anchorer } = await loadFixture(deployFixture);
      await contract.transferOwnership(other.address);
      await expect(contract.connect(owner).addAnchorer(anchorer.address))
        .to.be.revertedWithCustomError(contract, "AnchorNotOwner")
        .withArgs(owner.address);
      await expect(contract.connect(other).addAnchorer(anchorer.address))
        .to.emit(contract, "AnchorerAdded")
        .withArgs(anchorer.address);
    });

    it("reverts with AnchorNotOwner when a non-owner transfers ownership", async function () {
      const { contract, stranger } = await loadFixture(deployFixture);
      await expect(contract.connect(stranger).transferOwnership(stranger.address))
        .to.be.revertedWithCustomError(contract, "AnchorNotOwner")
        .withArgs(stranger.address);
    });

    it("reverts with AnchorZeroAddress when transferring to the zero address", async function () {
      const { contract } = await loadFixture(deployFixture);
      await expect(contract.transferOwnership(ZeroAddress))
        .to.be.revertedWithCustomError(contract, "AnchorZeroAddress")
        .withArgs();
    });
  });

  describe("anchorer management", function () {
    it("adds an anchorer and emits AnchorerAdded", async function () {
      const { contract, anchorer } = await loadFixture(deployFixture);
      await expect(contract.addAnchorer(anchorer.address)).to.emit(contract, "AnchorerAdded").withArgs(anchorer.address);
      expect(await contract.isAnchorer(anchorer.address)).to.equal(true);
    });

    it("removes an anchorer and emits AnchorerRemoved", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.removeAnchorer(anchorer.address))
        .to.emit(contract, "AnchorerRemoved")
        .withArgs(anchorer.address);
      expect(await contract.isAnchorer(anchorer.address)).to.equal(false);
    });

    it("reverts with AnchorNotOwner when a non-owner adds an anchorer", async function () {
      const { contract, stranger } = await loadFixture(deployFixture);
      await expect(contract.connect(stranger).addAnchorer(stranger.address))
        .to.be.revertedWithCustomError(contract, "AnchorNotOwner")
        .withArgs(stranger.address);
    });

    it("reverts with AnchorNotOwner when an anchorer removes an anchorer", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).removeAnchorer(anchorer.address))
        .to.be.revertedWithCustomError(contract, "AnchorNotOwner")
        .withArgs(anchorer.address);
    });

    it("reverts with AnchorZeroAddress when adding the zero address", async function () {
      const { contract } = await loadFixture(deployFixture);
      await expect(contract.addAnchorer(ZeroAddress))
        .to.be.revertedWithCustomError(contract, "AnchorZeroAddress")
        .withArgs();
    });

    it("reverts with AnchorerAlreadyAdded when adding an anchorer twice", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.addAnchorer(anchorer.address))
        .to.be.revertedWithCustomError(contract, "AnchorerAlreadyAdded")
        .withArgs(anchorer.address);
    });

    it("reverts with AnchorerNotFound when removing a non-anchorer", async function () {
      const { contract, stranger } = await loadFixture(deployFixture);
      await expect(contract.removeAnchorer(stranger.address))
        .to.be.revertedWithCustomError(contract, "AnchorerNotFound")
        .withArgs(stranger.address);
    });
  });

  describe("anchor", function () {
    it("records the root and emits EvidenceAnchored with the block timestamp", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      const timestamp = BigInt(await time.latest()) + 60n;
      await time.setNextBlockTimestamp(timestamp);

      await expect(contract.connect(anchorer).anchor(TREE.root, LEDGER_REF, URI))
        .to.emit(contract, "EvidenceAnchored")
        .withArgs(TREE.root, LEDGER_REF, anchorer.address, timestamp);

      expect(await contract.isAnchored(TREE.root)).to.equal(true);
      const record = await contract.anchorOf(TREE.root);
      expect(record.ledgerRef).to.equal(LEDGER_REF);
      expect(record.anchorer).to.equal(anchorer.address);
      expect(record.timestamp).to.equal(timestamp);
      expect(record.uri).to.equal(URI);
    });

    it("accepts an empty uri", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).anchor(TREE.root, LEDGER_REF, "")).to.emit(contract, "EvidenceAnchored");
      expect((await contract.anchorOf(TREE.root)).uri).to.equal("");
    });

    it("reverts with AnchorUnauthorized for a non-anchorer", async function () {
      const { contract, stranger } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(stranger).anchor(TREE.root, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorUnauthorized")
        .withArgs(stranger.address);
    });

    it("reverts with AnchorUnauthorized for the owner unless added as anchorer", async function () {
      const { contract, owner } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(owner).anchor(TREE.root, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorUnauthorized")
        .withArgs(owner.address);
    });

    it("reverts with AnchorUnauthorized for a removed anchorer", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await contract.removeAnchorer(anchorer.address);
      await expect(contract.connect(anchorer).anchor(TREE.root, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorUnauthorized")
        .withArgs(anchorer.address);
    });

    it("reverts with AnchorEmptyBatch for a zero root", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).anchor(ZeroHash, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorEmptyBatch")
        .withArgs();
    });

    it("reverts with AnchorEmptyLedgerRef for a zero ledger reference", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).anchor(TREE.root, ZeroHash, URI))
        .to.be.revertedWithCustomError(contract, "AnchorEmptyLedgerRef")
        .withArgs();
    });

    it("reverts with AnchorAlreadyExists when a root is anchored twice, keeping the first anchor", async function () {
      const { contract, owner, anchorer } = await loadFixture(withAnchorerFixture);
      await contract.connect(anchorer).anchor(TREE.root, LEDGER_REF, URI);
      await contract.addAnchorer(owner.address);
      const otherRef = ledgerRefOf("econfirm-channel", 4243n, "aa00");

      await expect(contract.connect(owner).anchor(TREE.root, otherRef, "other"))
        .to.be.revertedWithCustomError(contract, "AnchorAlreadyExists")
        .withArgs(TREE.root);
      const record = await contract.anchorOf(TREE.root);
      expect(record.ledgerRef).to.equal(LEDGER_REF);
      expect(record.anchorer).to.equal(anchorer.address);
    });
  });

  describe("anchorOf / isAnchored", function () {
    it("reverts with AnchorNotFound for an unknown root", async function () {
      const { contract } = await loadFixture(deployFixture);
      await expect(contract.anchorOf(TREE.root))
        .to.be.revertedWithCustomError(contract, "AnchorNotFound")
        .withArgs(TREE.root);
    });

    it("reports an unknown root as not anchored", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.isAnchored(TREE.root)).to.equal(false);
    });
  });

  describe("verifyInclusion", function () {
    it("accepts a proof computed with ethers for every leaf of a 5-leaf tree", async function () {
      const { contract } = await loadFixture(deployFixture);
      for (const [i, leaf] of LEAVES.entries()) {
        expect(await contract.verifyInclusion(leaf, TREE.proofs[i]!, TREE.root), `leaf ${i}`).to.equal(true);
      }
    });

    it("accepts a single-leaf tree with an empty proof", async function () {
      const { contract } = await loadFixture(deployFixture);
      const single = buildTree([LEAVES[0]!]);
      expect(single.root).to.equal(LEAVES[0]);
      expect(await contract.verifyInclusion(LEAVES[0]!, [], single.root)).to.equal(true);
    });

    it("rejects a proof with a tampered sibling", async function () {
      const { contract } = await loadFixture(deployFixture);
      const proof = [...TREE.proofs[1]!];
      proof[0] = keccak256(toUtf8Bytes("forged"));
      expect(await contract.verifyInclusion(LEAVES[1]!, proof, TREE.root)).to.equal(false);
    });

    it("rejects another leaf's proof", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.verifyInclusion(LEAVES[0]!, TREE.proofs[2]!, TREE.root)).to.equal(false);
    });

    it("rejects a leaf that is not in the batch", async function () {
      const { contract } = await loadFixture(deployFixture);
      const outsider = leafOf("confirmation:ACME-2025-999:bank-response.pdf");
      expect(await contract.verifyInclusion(outsider, TREE.proofs[0]!, TREE.root)).to.equal(false);
    });

    it("rejects a truncated proof", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.verifyInclusion(LEAVES[0]!, TREE.proofs[0]!.slice(0, -1), TREE.root)).to.equal(false);
    });

    it("verifies a leaf end-to-end against an anchored root", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await contract.connect(anchorer).anchor(TREE.root, LEDGER_REF, URI);
      const leaf = leafOf(EVIDENCE[3]!);
      expect(await contract.isAnchored(TREE.root)).to.equal(true);
      expect(await contract.verifyInclusion(leaf, TREE.proofs[3]!, TREE.root)).to.equal(true);
    });
  });
});
