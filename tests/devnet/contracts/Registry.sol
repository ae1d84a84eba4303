// SPDX-License-Identifier: MIT
// Where publishers find providers: each provider's profile (a CID of a protobuf HostInfo on IPFS) and the pricing
// tables providers subscribe to. The interface (functions, events, revert reasons) and the behaviour are upstream's
// (comrade-coop/apocryph 4bbf371, contracts/src/Registry.sol, tested by contracts/test/Registry.t.sol); the code is
// this project's.
//   - registerProvider(cid): any address; refuses an empty cid ("cid must not be empty"); a second call replaces the
//     cid. No attestation is checked (upstream leaves it as a TODO).
//   - registerPricingTable(token, prices[5], cpuModel, teeType): registered providers only ("Provider Must be
//     registered"); numbers tables from 1 (pricingTableId is the last id given), emits NewPricingTable with the
//     prices in the order CPU, RAM, STORAGE, BANDWIDTH_EGRESS, BANDWIDTH_INGRESS, then subscribes the caller to it
//     (Subscribed).
//   - subscribe(id) emits Subscribed; unsubscribe(id) clears the flag and emits nothing, so a reader of Subscribed
//     events must check isSubscribed. Neither checks that the table exists (upstream does not either).
//   - providers(address) and subscription(address, id) are the public mappings' getters; isSubscribed is the same
//     lookup as subscription.
pragma solidity ^0.8.22;

contract Registry {
    event NewPricingTable(
        address indexed token,
        uint256 indexed Id,
        uint256 CpuPrice,
        uint256 RamPrice,
        uint256 StoragePrice,
        uint256 BandwidthEgressPrice,
        uint256 BandwidthIngressPrice,
        string Cpumodel,
        string TeeType
    );
    event Subscribed(uint256 indexed id, address indexed provider);

    mapping(address => string) public providers;
    mapping(address => mapping(uint256 => bool)) public subscription;
    uint256 public pricingTableId;

    modifier onlyRegistered() {
        require(bytes(providers[msg.sender]).length != 0, "Provider Must be registered");
        _;
    }

    function registerProvider(string calldata cid) public {
        require(bytes(cid).length != 0, "cid must not be empty");
        providers[msg.sender] = cid;
    }

    function registerPricingTable(address token, uint256[5] memory prices, string memory cpumodel, string memory teeType)
        public
        onlyRegistered
    {
        uint256 id = ++pricingTableId;
        emit NewPricingTable(token, id, prices[0], prices[1], prices[2], prices[3], prices[4], cpumodel, teeType);
        _subscribe(id);
    }

    function subscribe(uint256 tableId) public onlyRegistered {
        _subscribe(tableId);
    }

    function unsubscribe(uint256 tableId) public onlyRegistered {
        subscription[msg.sender][tableId] = false;
    }

    function isSubscribed(address provider, uint256 tableId) external view returns (bool) {
        return subscription[provider][tableId];
    }

    function _subscribe(uint256 tableId) private {
        subscription[msg.sender][tableId] = true;
        emit Subscribed(tableId, msg.sender);
    }
}
