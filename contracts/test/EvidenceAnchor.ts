import { expect } from "chai";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { network } from "hardhat";

/**
 * EvidenceAnchor tests. One simulated network per file (`network.create()`), state reset
 * between tests through `loadFixture` snapshots.
 */
const { ethers, networkHelpers } = await network.create();
const { loadFixture, time } = networkHelpers;

const { AbiCoder, ZeroAddress, ZeroHash, id, keccak256, sha256, toUtf8Bytes } = ethers;

/** What econfirm anchors: the SHA-256 hash of each piece of evidence, as a bytes32 value. */
function evidenceHashOf(evidence: string): string {
  return sha256(toUtf8Bytes(evidence));
}

/**
 * The batch's tree, built the way the anchoring service and any third party build it:
 * OpenZeppelin's StandardMerkleTree over bytes32 values (double-hashed leaves, sorted pairs).
 */
function treeOf(hashes: readonly string[]): StandardMerkleTree<[string]> {
  return StandardMerkleTree.of(hashes.map((h): [string] => [h]), ["bytes32"]);
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
const HASHES = EVIDENCE.map(evidenceHashOf);
const TREE = treeOf(HASHES);
const ROOT = TREE.root;
/** Each evidence hash's leaf and proof, as StandardMerkleTree gives them. */
const LEAVES = HASHES.map((h) => TREE.leafHash([h]));
const PROOFS = HASHES.map((h) => TREE.getProof([h]));
const LEDGER_REF = ledgerRefOf("econfirm-channel", 4242n, "9f1c0d5e7a3b");
const URI = "econfirm://batches/2025-06-30T12:00:00Z";

async function deployFixture() {
  const [owner, anchorer, stranger, other] = await ethers.getSigners();
  const contract = await ethers.deployContract("EvidenceAnchor", [owner!.address]);
  return { contract, owner: owner!, anchorer: anchorer!, stranger: stranger!, other: other! };
}

async function withAnchorerFixture() {
  const fixture = await deployFixture();
  await fixture.contract.grantRole(await fixture.contract.ANCHORER_ROLE(), fixture.anchorer.address);
  return fixture;
}

const ADMIN_ROLE = ZeroHash;
const ANCHORER_ROLE = id("ANCHORER_ROLE");

describe("EvidenceAnchor", function () {
  describe("deployment", function () {
    it("grants the admin role to the given admin and emits RoleGranted", async function () {
      const { contract, owner } = await loadFixture(deployFixture);
      expect(await contract.hasRole(ADMIN_ROLE, owner.address)).to.equal(true);
      await expect(contract.deploymentTransaction())
        .to.emit(contract, "RoleGranted")
        .withArgs(ADMIN_ROLE, owner.address, owner.address);
    });

    it("does not make the admin an anchorer", async function () {
      const { contract, owner } = await loadFixture(deployFixture);
      expect(await contract.hasRole(ANCHORER_ROLE, owner.address)).to.equal(false);
    });

    it("reverts with AnchorZeroAddress for a zero admin", async function () {
      const { contract } = await loadFixture(deployFixture);
      await expect(ethers.deployContract("EvidenceAnchor", [ZeroAddress]))
        .to.be.revertedWithCustomError(contract, "AnchorZeroAddress")
        .withArgs();
    });
  });

  describe("administration", function () {
    it("hands administration over (grant, then renounce) and the previous admin loses its rights", async function () {
      const { contract, owner, other, anchorer } = await loadFixture(deployFixture);
      await expect(contract.grantRole(ADMIN_ROLE, other.address))
        .to.emit(contract, "RoleGranted")
        .withArgs(ADMIN_ROLE, other.address, owner.address);
      await expect(contract.renounceRole(ADMIN_ROLE, owner.address))
        .to.emit(contract, "RoleRevoked")
        .withArgs(ADMIN_ROLE, owner.address, owner.address);
      await expect(contract.connect(owner).grantRole(ANCHORER_ROLE, anchorer.address))
        .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
        .withArgs(owner.address, ADMIN_ROLE);
      await expect(contract.connect(other).grantRole(ANCHORER_ROLE, anchorer.address))
        .to.emit(contract, "RoleGranted")
        .withArgs(ANCHORER_ROLE, anchorer.address, other.address);
    });

    it("reverts with AccessControlUnauthorizedAccount when a non-admin grants the admin role", async function () {
      const { contract, stranger } = await loadFixture(deployFixture);
      await expect(contract.connect(stranger).grantRole(ADMIN_ROLE, stranger.address))
        .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ADMIN_ROLE);
    });

    it("reverts with AccessControlBadConfirmation when renouncing another account's role", async function () {
      const { contract, owner, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(owner).renounceRole(ANCHORER_ROLE, anchorer.address))
        .to.be.revertedWithCustomError(contract, "AccessControlBadConfirmation")
        .withArgs();
      expect(await contract.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(true);
    });

    it("names the anchorer role keccak256(\"ANCHORER_ROLE\"), administered by the admin role", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.ANCHORER_ROLE()).to.equal(ANCHORER_ROLE);
      expect(await contract.getRoleAdmin(ANCHORER_ROLE)).to.equal(ADMIN_ROLE);
    });
  });

  describe("anchorer management", function () {
    it("grants the anchorer role and emits RoleGranted", async function () {
      const { contract, owner, anchorer } = await loadFixture(deployFixture);
      await expect(contract.grantRole(ANCHORER_ROLE, anchorer.address))
        .to.emit(contract, "RoleGranted")
        .withArgs(ANCHORER_ROLE, anchorer.address, owner.address);
      expect(await contract.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(true);
    });

    it("revokes the anchorer role and emits RoleRevoked", async function () {
      const { contract, owner, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.revokeRole(ANCHORER_ROLE, anchorer.address))
        .to.emit(contract, "RoleRevoked")
        .withArgs(ANCHORER_ROLE, anchorer.address, owner.address);
      expect(await contract.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(false);
    });

    it("reverts with AccessControlUnauthorizedAccount when a non-admin grants the anchorer role", async function () {
      const { contract, stranger } = await loadFixture(deployFixture);
      await expect(contract.connect(stranger).grantRole(ANCHORER_ROLE, stranger.address))
        .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, ADMIN_ROLE);
    });

    it("reverts with AccessControlUnauthorizedAccount when an anchorer revokes an anchorer", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).revokeRole(ANCHORER_ROLE, anchorer.address))
        .to.be.revertedWithCustomError(contract, "AccessControlUnauthorizedAccount")
        .withArgs(anchorer.address, ADMIN_ROLE);
    });

    it("emits no second RoleGranted when the role is granted twice", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.grantRole(ANCHORER_ROLE, anchorer.address)).to.not.emit(contract, "RoleGranted");
      expect(await contract.hasRole(ANCHORER_ROLE, anchorer.address)).to.equal(true);
    });

    it("lets an anchorer renounce its own role, after which it cannot anchor", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).renounceRole(ANCHORER_ROLE, anchorer.address))
        .to.emit(contract, "RoleRevoked")
        .withArgs(ANCHORER_ROLE, anchorer.address, anchorer.address);
      await expect(contract.connect(anchorer).anchor(ROOT, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorUnauthorized")
        .withArgs(anchorer.address);
    });

    it("emits no RoleRevoked when revoking an account that is no anchorer", async function () {
      const { contract, stranger } = await loadFixture(deployFixture);
      await expect(contract.revokeRole(ANCHORER_ROLE, stranger.address)).to.not.emit(contract, "RoleRevoked");
    });
  });

  describe("anchor", function () {
    it("records the root and emits EvidenceAnchored with the block timestamp", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      const timestamp = BigInt(await time.latest()) + 60n;
      await time.setNextBlockTimestamp(timestamp);

      await expect(contract.connect(anchorer).anchor(ROOT, LEDGER_REF, URI))
        .to.emit(contract, "EvidenceAnchored")
        .withArgs(ROOT, LEDGER_REF, anchorer.address, timestamp);

      expect(await contract.isAnchored(ROOT)).to.equal(true);
      const record = await contract.anchorOf(ROOT);
      expect(record.ledgerRef).to.equal(LEDGER_REF);
      expect(record.anchorer).to.equal(anchorer.address);
      expect(record.timestamp).to.equal(timestamp);
      expect(record.uri).to.equal(URI);
    });

    it("accepts an empty uri", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(anchorer).anchor(ROOT, LEDGER_REF, "")).to.emit(contract, "EvidenceAnchored");
      expect((await contract.anchorOf(ROOT)).uri).to.equal("");
    });

    it("reverts with AnchorUnauthorized for a non-anchorer", async function () {
      const { contract, stranger } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(stranger).anchor(ROOT, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorUnauthorized")
        .withArgs(stranger.address);
    });

    it("reverts with AnchorUnauthorized for the admin unless granted the anchorer role", async function () {
      const { contract, owner } = await loadFixture(withAnchorerFixture);
      await expect(contract.connect(owner).anchor(ROOT, LEDGER_REF, URI))
        .to.be.revertedWithCustomError(contract, "AnchorUnauthorized")
        .withArgs(owner.address);
    });

    it("reverts with AnchorUnauthorized for a removed anchorer", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await contract.revokeRole(ANCHORER_ROLE, anchorer.address);
      await expect(contract.connect(anchorer).anchor(ROOT, LEDGER_REF, URI))
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
      await expect(contract.connect(anchorer).anchor(ROOT, ZeroHash, URI))
        .to.be.revertedWithCustomError(contract, "AnchorEmptyLedgerRef")
        .withArgs();
    });

    it("reverts with AnchorAlreadyExists when a root is anchored twice, keeping the first anchor", async function () {
      const { contract, owner, anchorer } = await loadFixture(withAnchorerFixture);
      await contract.connect(anchorer).anchor(ROOT, LEDGER_REF, URI);
      await contract.grantRole(ANCHORER_ROLE, owner.address);
      const otherRef = ledgerRefOf("econfirm-channel", 4243n, "aa00");

      await expect(contract.connect(owner).anchor(ROOT, otherRef, "other"))
        .to.be.revertedWithCustomError(contract, "AnchorAlreadyExists")
        .withArgs(ROOT);
      const record = await contract.anchorOf(ROOT);
      expect(record.ledgerRef).to.equal(LEDGER_REF);
      expect(record.anchorer).to.equal(anchorer.address);
    });
  });

  describe("anchorOf / isAnchored", function () {
    it("reverts with AnchorNotFound for an unknown root", async function () {
      const { contract } = await loadFixture(deployFixture);
      await expect(contract.anchorOf(ROOT))
        .to.be.revertedWithCustomError(contract, "AnchorNotFound")
        .withArgs(ROOT);
    });

    it("reports an unknown root as not anchored", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.isAnchored(ROOT)).to.equal(false);
    });
  });

  describe("verifyInclusion / isEvidenceAnchored (StandardMerkleTree proofs)", function () {
    it("accepts StandardMerkleTree's proof for every leaf of a 5-leaf tree", async function () {
      const { contract } = await loadFixture(deployFixture);
      for (const [i, leaf] of LEAVES.entries()) {
        expect(await contract.verifyInclusion(leaf, PROOFS[i]!, ROOT), `leaf ${i}`).to.equal(true);
      }
    });

    it("computes the leaf of an evidence hash as StandardMerkleTree does", async function () {
      const { contract } = await loadFixture(deployFixture);
      for (const [i, hash] of HASHES.entries()) {
        expect(await contract.evidenceLeaf(hash), `leaf ${i}`).to.equal(LEAVES[i]);
      }
      expect(LEAVES[0]).to.equal(keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [HASHES[0]]))));
    });

    it("accepts a single-leaf tree with an empty proof", async function () {
      const { contract } = await loadFixture(deployFixture);
      const single = treeOf([HASHES[0]!]);
      expect(single.root).to.equal(LEAVES[0]);
      expect(single.getProof(0)).to.deep.equal([]);
      expect(await contract.verifyInclusion(LEAVES[0]!, [], single.root)).to.equal(true);
    });

    it("rejects a proof with a tampered sibling", async function () {
      const { contract } = await loadFixture(deployFixture);
      const proof = [...PROOFS[1]!];
      proof[0] = keccak256(toUtf8Bytes("forged"));
      expect(await contract.verifyInclusion(LEAVES[1]!, proof, ROOT)).to.equal(false);
    });

    it("rejects another leaf's proof", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.verifyInclusion(LEAVES[0]!, PROOFS[2]!, ROOT)).to.equal(false);
    });

    it("rejects evidence that is not in the batch", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      await contract.connect(anchorer).anchor(ROOT, LEDGER_REF, URI);
      const outsider = evidenceHashOf("confirmation:ACME-2025-999:bank-response.pdf");
      expect(await contract.verifyInclusion(await contract.evidenceLeaf(outsider), PROOFS[0]!, ROOT)).to.equal(false);
      expect(await contract.isEvidenceAnchored(outsider, PROOFS[0]!, ROOT)).to.equal(false);
    });

    it("rejects a truncated proof", async function () {
      const { contract } = await loadFixture(deployFixture);
      expect(await contract.verifyInclusion(LEAVES[0]!, PROOFS[0]!.slice(0, -1), ROOT)).to.equal(false);
    });

    it("verifies evidence end to end against an anchored root, and not before it is anchored", async function () {
      const { contract, anchorer } = await loadFixture(withAnchorerFixture);
      expect(await contract.isEvidenceAnchored(HASHES[3]!, PROOFS[3]!, ROOT)).to.equal(false);
      await contract.connect(anchorer).anchor(ROOT, LEDGER_REF, URI);
      expect(await contract.isEvidenceAnchored(HASHES[3]!, PROOFS[3]!, ROOT)).to.equal(true);
    });

    it("lets a third party check a proof from the dumped tree alone, with StandardMerkleTree and the contract alike", async function () {
      const { contract } = await loadFixture(deployFixture);
      const loaded = StandardMerkleTree.load<[string]>(JSON.parse(JSON.stringify(TREE.dump())));
      expect(loaded.root).to.equal(ROOT);
      const proof = loaded.getProof([HASHES[2]!]);
      expect(StandardMerkleTree.verify(ROOT, ["bytes32"], [HASHES[2]!], proof)).to.equal(true);
      expect(StandardMerkleTree.verify(ROOT, ["bytes32"], [HASHES[1]!], proof)).to.equal(false);
      expect(await contract.isEvidenceAnchored(HASHES[2]!, proof, ROOT)).to.equal(false);
      expect(await contract.verifyInclusion(await contract.evidenceLeaf(HASHES[2]!), proof, ROOT)).to.equal(true);
    });
  });
});
