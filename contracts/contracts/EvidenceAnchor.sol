// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/**
 * @title EvidenceAnchor
 * @notice Anchors batches of econfirm evidence on an EVM chain as an independent, public
 *         timestamp. Each anchor records the Merkle root of a batch of evidence hashes together
 *         with a reference to the Fabric ledger transaction that holds the batch.
 * @dev Roots are write-once. The tree is OpenZeppelin's standard Merkle tree
 *      (the `StandardMerkleTree` of OpenZeppelin's merkle-tree package, over `bytes32` values): each leaf is
 *      `keccak256(bytes.concat(keccak256(abi.encode(evidenceHash))))`, so a leaf can never be taken
 *      for an inner node, and pairs are hashed sorted, so proofs carry no position bits; proofs are
 *      checked by OpenZeppelin's `MerkleProof`. Who may anchor is OpenZeppelin's `AccessControl`:
 *      accounts holding {ANCHORER_ROLE}, granted and revoked by the holders of `DEFAULT_ADMIN_ROLE`.
 */
contract EvidenceAnchor is AccessControl {
    /// @dev The role of the accounts allowed to call {anchor}; administered by `DEFAULT_ADMIN_ROLE`.
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /**
     * @dev A recorded anchor. `timestamp` is zero if and only if the root was never anchored.
     * @param ledgerRef Hash of the Fabric channel, block number and transaction id of the batch.
     * @param anchorer Address that submitted the anchor.
     * @param timestamp Block timestamp at which the anchor was recorded.
     * @param uri Optional locator of the batch (e.g. an econfirm API path); not integrity-relevant.
     */
    struct Anchor {
        bytes32 ledgerRef;
        address anchorer;
        uint64 timestamp;
        string uri;
    }

    /// @dev Anchors keyed by Merkle root.
    mapping(bytes32 root => Anchor record) private _anchors;

    /**
     * @dev Emitted after a Merkle root has been recorded.
     * @param root Merkle root of the evidence batch.
     * @param ledgerRef Hash of the Fabric channel, block number and transaction id.
     * @param anchorer Address that submitted the anchor.
     * @param timestamp Block timestamp stored with the anchor.
     */
    event EvidenceAnchored(bytes32 indexed root, bytes32 indexed ledgerRef, address indexed anchorer, uint64 timestamp);

    /**
     * @dev The caller does not hold {ANCHORER_ROLE}.
     * @param account The caller.
     */
    error AnchorUnauthorized(address account);

    /**
     * @dev The zero address was given where an account is required.
     */
    error AnchorZeroAddress();

    /**
     * @dev The root has already been anchored; anchors are write-once.
     * @param root The Merkle root.
     */
    error AnchorAlreadyExists(bytes32 root);

    /**
     * @dev The root is zero, i.e. the batch is empty.
     */
    error AnchorEmptyBatch();

    /**
     * @dev The ledger reference is zero.
     */
    error AnchorEmptyLedgerRef();

    /**
     * @dev No anchor has been recorded for the root.
     * @param root The Merkle root.
     */
    error AnchorNotFound(bytes32 root);

    /**
     * @dev Grants `DEFAULT_ADMIN_ROLE` to `admin`, who is not an anchorer unless it grants itself
     *      {ANCHORER_ROLE}.
     * @param admin The first administrator; must not be the zero address.
     */
    constructor(address admin) {
        if (admin == address(0)) revert AnchorZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /**
     * @dev Records `root` with the current block timestamp. Only callable by an anchorer.
     * @param root Merkle root of the evidence batch; must be non-zero and not yet anchored.
     * @param ledgerRef Hash of the Fabric channel, block number and transaction id; non-zero.
     * @param uri Optional locator of the batch; stored verbatim.
     */
    function anchor(bytes32 root, bytes32 ledgerRef, string calldata uri) external {
        if (!hasRole(ANCHORER_ROLE, msg.sender)) revert AnchorUnauthorized(msg.sender);
        if (root == bytes32(0)) revert AnchorEmptyBatch();
        if (ledgerRef == bytes32(0)) revert AnchorEmptyLedgerRef();
        if (_anchors[root].timestamp != 0) revert AnchorAlreadyExists(root);

        uint64 timestamp = uint64(block.timestamp);
        _anchors[root] = Anchor({ledgerRef: ledgerRef, anchorer: msg.sender, timestamp: timestamp, uri: uri});

        emit EvidenceAnchored(root, ledgerRef, msg.sender, timestamp);
    }

    /**
     * @dev Returns the anchor recorded for `root`; reverts if there is none.
     * @param root The Merkle root.
     * @return The recorded anchor.
     */
    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        Anchor storage record = _anchors[root];
        if (record.timestamp == 0) revert AnchorNotFound(root);
        return record;
    }

    /**
     * @dev Returns whether `root` has been anchored.
     * @param root The Merkle root.
     * @return True if an anchor exists for `root`.
     */
    function isAnchored(bytes32 root) external view returns (bool) {
        return _anchors[root].timestamp != 0;
    }

    /**
     * @dev Returns the standard Merkle tree leaf of an evidence hash, as `StandardMerkleTree.of(values, ["bytes32"])`
     *      computes it: `keccak256(bytes.concat(keccak256(abi.encode(evidenceHash))))`.
     * @param evidenceHash The hash of one piece of evidence.
     * @return The leaf.
     */
    function evidenceLeaf(bytes32 evidenceHash) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(evidenceHash))));
    }

    /**
     * @dev Returns whether `leaf` is part of the tree with root `root`, given its `proof` (sibling
     *      hashes from the leaf up, as `StandardMerkleTree.getProof` returns them). Pure: does not
     *      require `root` to be anchored; combine with {isAnchored} for a full check.
     * @param leaf The leaf (see {evidenceLeaf}).
     * @param proof Sibling hashes from the leaf level up to just below the root.
     * @param root The expected Merkle root.
     * @return True if the proof recomputes `root`.
     */
    function verifyInclusion(bytes32 leaf, bytes32[] calldata proof, bytes32 root) public pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /**
     * @dev Returns whether the evidence with hash `evidenceHash` is in the batch with root `root`
     *      and that root is anchored: {evidenceLeaf} and {verifyInclusion} together with {isAnchored}.
     * @param evidenceHash The hash of one piece of evidence.
     * @param proof Sibling hashes from its leaf up.
     * @param root The batch's Merkle root.
     * @return True if the proof recomputes `root` from the evidence and `root` is anchored.
     */
    function isEvidenceAnchored(bytes32 evidenceHash, bytes32[] calldata proof, bytes32 root) external view returns (bool) {
        return _anchors[root].timestamp != 0 && verifyInclusion(evidenceLeaf(evidenceHash), proof, root);
    }
}
