// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title EvidenceAnchor
 * @notice Anchors batches of econfirm evidence on an EVM chain as an independent, public
 *         timestamp. Each anchor records the Merkle root of a batch of evidence hashes together
 *         with a reference to the Fabric ledger transaction that holds the batch.
 * @dev Roots are write-once. The Merkle tree is a sorted-pair keccak256 tree: each parent is
 *      `keccak256(abi.encodePacked(min(a, b), max(a, b)))`, so proofs carry no position bits.
 *      Leaves are used as given; callers should hash (or double-hash) their evidence so that a
 *      leaf can never be mistaken for an inner node.
 */
contract EvidenceAnchor {
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

    /// @dev Contract owner; manages the anchorer set and may transfer ownership.
    address private _owner;

    /// @dev Addresses allowed to call {anchor}.
    mapping(address account => bool allowed) private _anchorers;

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
     * @dev Emitted after an address has been allowed to anchor.
     * @param account The new anchorer.
     */
    event AnchorerAdded(address indexed account);

    /**
     * @dev Emitted after an address has lost the right to anchor.
     * @param account The former anchorer.
     */
    event AnchorerRemoved(address indexed account);

    /**
     * @dev Emitted after ownership has changed (also on deployment, from the zero address).
     * @param previousOwner The former owner.
     * @param newOwner The new owner.
     */
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /**
     * @dev The caller is not the owner.
     * @param account The caller.
     */
    error AnchorNotOwner(address account);

    /**
     * @dev The caller is not an anchorer.
     * @param account The caller.
     */
    error AnchorUnauthorized(address account);

    /**
     * @dev The zero address was given where an account is required.
     */
    error AnchorZeroAddress();

    /**
     * @dev The account is already an anchorer.
     * @param account The account.
     */
    error AnchorerAlreadyAdded(address account);

    /**
     * @dev The account is not an anchorer.
     * @param account The account.
     */
    error AnchorerNotFound(address account);

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

    /// @dev Restricts a function to the owner.
    modifier onlyOwner() {
        if (msg.sender != _owner) revert AnchorNotOwner(msg.sender);
        _;
    }

    /// @dev Restricts a function to the anchorer set.
    modifier onlyAnchorer() {
        if (!_anchorers[msg.sender]) revert AnchorUnauthorized(msg.sender);
        _;
    }

    /**
     * @dev Makes `initialOwner` the owner. The owner is not an anchorer unless added.
     * @param initialOwner The first owner; must not be the zero address.
     */
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert AnchorZeroAddress();
        _owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    /**
     * @dev Returns the current owner.
     * @return The owner address.
     */
    function owner() external view returns (address) {
        return _owner;
    }

    /**
     * @dev Transfers ownership to `newOwner`. Only callable by the owner.
     * @param newOwner The new owner; must not be the zero address.
     */
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert AnchorZeroAddress();
        address previousOwner = _owner;
        _owner = newOwner;
        emit OwnershipTransferred(previousOwner, newOwner);
    }

    /**
     * @dev Allows `account` to anchor. Only callable by the owner.
     * @param account The account to add; must not be zero or already an anchorer.
     */
    function addAnchorer(address account) external onlyOwner {
        if (account == address(0)) revert AnchorZeroAddress();
        if (_anchorers[account]) revert AnchorerAlreadyAdded(account);
        _anchorers[account] = true;
        emit AnchorerAdded(account);
    }

    /**
     * @dev Revokes the right of `account` to anchor. Only callable by the owner.
     * @param account The account to remove; must currently be an anchorer.
     */
    function removeAnchorer(address account) external onlyOwner {
        if (!_anchorers[account]) revert AnchorerNotFound(account);
        _anchorers[account] = false;
        emit AnchorerRemoved(account);
    }

    /**
     * @dev Returns whether `account` may anchor.
     * @param account The account to check.
     * @return True if `account` is an anchorer.
     */
    function isAnchorer(address account) external view returns (bool) {
        return _anchorers[account];
    }

    /**
     * @dev Records `root` with the current block timestamp. Only callable by an anchorer.
     * @param root Merkle root of the evidence batch; must be non-zero and not yet anchored.
     * @param ledgerRef Hash of the Fabric channel, block number and transaction id; non-zero.
     * @param uri Optional locator of the batch; stored verbatim.
     */
    function anchor(bytes32 root, bytes32 ledgerRef, string calldata uri) external onlyAnchorer {
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
     * @dev Returns whether `leaf` is part of the tree with root `root`, given a sorted-pair
     *      keccak256 Merkle `proof` (sibling hashes from the leaf up). Pure: does not require
     *      `root` to be anchored; combine with {isAnchored} for a full check.
     * @param leaf The leaf (already-hashed evidence).
     * @param proof Sibling hashes from the leaf level up to just below the root.
     * @param root The expected Merkle root.
     * @return True if the proof recomputes `root`.
     */
    function verifyInclusion(bytes32 leaf, bytes32[] calldata proof, bytes32 root) external pure returns (bool) {
        return _processProof(leaf, proof) == root;
    }

    /**
     * @dev Folds `proof` into `leaf` using sorted-pair hashing.
     * @param leaf The starting hash.
     * @param proof Sibling hashes from the leaf up.
     * @return computed The recomputed root.
     */
    function _processProof(bytes32 leaf, bytes32[] calldata proof) private pure returns (bytes32 computed) {
        computed = leaf;
        uint256 length = proof.length;
        for (uint256 i = 0; i < length; ++i) {
            computed = _hashPair(computed, proof[i]);
        }
    }

    /**
     * @dev Hashes a pair in ascending order: `keccak256(abi.encodePacked(min, max))`.
     * @param a One node.
     * @param b The other node.
     * @return The parent hash.
     */
    function _hashPair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }
}
