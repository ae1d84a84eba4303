// SPDX-License-Identifier: MIT
// Payment channels between a publisher and a provider, one per pod. The interface (functions, errors, events) and the
// behaviour are upstream's (comrade-coop/apocryph 4bbf371, contracts/src/Payment.sol); the code is this project's.
//   - createChannel(provider, podId, unlockTime, initialAmount): the caller is the publisher; refuses a zero amount
//     (AmountRequired) and a channel that already holds funds (AlreadyExists); pulls the tokens with transferFrom.
//   - deposit: tops up an existing channel (DoesNotExist otherwise) and cancels a running unlock timer.
//   - unlock: the publisher (or an authorised address) starts the timer: unlockedAt = now + unlockTime, never earlier
//     than a timer already running.
//   - withdrawUnlocked: once unlockedAt has passed, returns invested - withdrawn to the caller (ChannelLocked before,
//     AmountRequired when nothing is left); closeChannel does the same and forgets the channel.
//   - withdrawUpTo / withdraw: the provider takes up to the invested amount; a withdrawal during an unlock moves the
//     unlock to now.
//   - available, withdrawn, channels(...) (without the authorised set), authorize, isAuthorized, createSubChannel.
pragma solidity ^0.8.22;

interface IERC20Like {
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

contract Payment {
    error AlreadyExists();
    error DoesNotExist();
    error AmountRequired();
    error ChannelLocked();
    error InsufficientFunds();
    error NotAuthorized();

    event UnlockTimerStarted(address indexed publisher, address indexed provider, bytes32 indexed podId, uint256 unlockedAt);
    event ChannelCreated(address indexed publisher, address indexed provider, bytes32 indexed podId);
    event Deposited(address indexed publisher, address indexed provider, bytes32 indexed podId, uint256 depositAmount);
    event Unlocked(address indexed publisher, address indexed provider, bytes32 indexed podId, uint256 unlockedAmount);
    event Withdrawn(address indexed publisher, address indexed provider, bytes32 indexed podId, uint256 withdrawnAmount);
    event ChannelClosed(address indexed publisher, address indexed provider, bytes32 indexed podId);

    struct Channel {
        uint256 investedByPublisher;
        uint256 withdrawnByProvider;
        uint256 unlockTime;
        uint256 unlockedAt;
        mapping(address => bool) authorized;
    }

    mapping(address => mapping(address => mapping(bytes32 => Channel))) public channels;
    IERC20Like public token;

    constructor(IERC20Like _token) {
        token = _token;
    }

    function createChannel(address provider, bytes32 podId, uint256 unlockTime, uint256 initialAmount) public {
        if (initialAmount == 0) revert AmountRequired();
        Channel storage c = channels[msg.sender][provider][podId];
        if (c.investedByPublisher != 0) revert AlreadyExists();
        c.investedByPublisher = initialAmount;
        c.unlockTime = unlockTime;
        emit Deposited(msg.sender, provider, podId, initialAmount);
        _pull(initialAmount);
    }

    function deposit(address provider, bytes32 podId, uint256 amount) public {
        if (amount == 0) revert AmountRequired();
        Channel storage c = channels[msg.sender][provider][podId];
        if (c.investedByPublisher == 0) revert DoesNotExist();
        c.investedByPublisher += amount;
        c.unlockedAt = 0;
        emit Deposited(msg.sender, provider, podId, amount);
        _pull(amount);
    }

    function unlock(address publisher, address provider, bytes32 podId) public {
        Channel storage c = channels[publisher][provider][podId];
        if (c.investedByPublisher == 0) revert DoesNotExist();
        _requireControl(c, publisher);
        uint256 at = block.timestamp + c.unlockTime;
        if (c.unlockedAt == 0 || c.unlockedAt < at) {
            c.unlockedAt = at;
            emit UnlockTimerStarted(publisher, provider, podId, at);
        }
    }

    function withdrawUnlocked(address publisher, address provider, bytes32 podId) public {
        Channel storage c = channels[publisher][provider][podId];
        _requireControl(c, publisher);
        _requireUnlocked(c);
        uint256 left = c.investedByPublisher - c.withdrawnByProvider;
        if (left == 0) revert AmountRequired();
        c.investedByPublisher = c.withdrawnByProvider;
        emit Unlocked(publisher, provider, podId, left);
        _send(msg.sender, left);
    }

    function closeChannel(address publisher, address provider, bytes32 podId) public {
        Channel storage c = channels[publisher][provider][podId];
        if (c.investedByPublisher == 0) revert DoesNotExist();
        _requireControl(c, publisher);
        _requireUnlocked(c);
        uint256 left = c.investedByPublisher - c.withdrawnByProvider;
        delete channels[publisher][provider][podId];
        if (left != 0) emit Unlocked(publisher, provider, podId, left);
        emit ChannelClosed(publisher, provider, podId);
        if (left != 0) _send(msg.sender, left);
    }

    function withdrawUpTo(address publisher, bytes32 podId, uint256 totalWithdrawAmount, address transferAddress) public {
        address to = transferAddress == address(0) ? msg.sender : transferAddress;
        Channel storage c = channels[publisher][msg.sender][podId];
        if (totalWithdrawAmount > c.investedByPublisher) revert InsufficientFunds();
        if (totalWithdrawAmount <= c.withdrawnByProvider) revert AmountRequired();
        uint256 amount = totalWithdrawAmount - c.withdrawnByProvider;
        c.withdrawnByProvider = totalWithdrawAmount;
        emit Withdrawn(publisher, msg.sender, podId, amount);
        if (c.unlockedAt != 0) c.unlockedAt = block.timestamp;
        _send(to, amount);
    }

    function withdraw(address publisher, bytes32 podId, uint256 amount, address transferAddress) public {
        withdrawUpTo(publisher, podId, channels[publisher][msg.sender][podId].withdrawnByProvider + amount, transferAddress);
    }

    function available(address publisher, address provider, bytes32 podId) public view returns (uint256) {
        Channel storage c = channels[publisher][provider][podId];
        return c.investedByPublisher - c.withdrawnByProvider;
    }

    function withdrawn(address publisher, address provider, bytes32 podId) public view returns (uint256) {
        return channels[publisher][provider][podId].withdrawnByProvider;
    }

    function authorize(address _authorized, address provider, bytes32 podId) public {
        Channel storage c = channels[msg.sender][provider][podId];
        if (c.investedByPublisher == 0) revert DoesNotExist();
        c.authorized[_authorized] = true;
    }

    function isAuthorized(address publisher, address provider, bytes32 podId, address _address) public view returns (bool) {
        return channels[publisher][provider][podId].authorized[_address];
    }

    function createSubChannel(address publisher, address provider, bytes32 podId, address newProvider, bytes32 newPodId, uint256 amount) public {
        Channel storage c = channels[publisher][provider][podId];
        if (c.investedByPublisher == 0) revert DoesNotExist();
        if (!c.authorized[msg.sender]) revert NotAuthorized();
        if (c.investedByPublisher < amount) revert InsufficientFunds();
        _requireUnlocked(c);
        c.investedByPublisher -= amount;
        Channel storage sub = channels[msg.sender][newProvider][newPodId];
        if (sub.investedByPublisher != 0) revert AlreadyExists();
        sub.authorized[publisher] = true;
        if (c.investedByPublisher - c.withdrawnByProvider < amount) revert InsufficientFunds();
        sub.investedByPublisher += amount;
        sub.unlockTime = c.unlockTime;
        emit Deposited(msg.sender, newProvider, newPodId, amount);
    }

    function _requireControl(Channel storage c, address publisher) private view {
        if (msg.sender != publisher && !c.authorized[msg.sender]) revert NotAuthorized();
    }

    function _requireUnlocked(Channel storage c) private view {
        if (c.unlockedAt == 0 || block.timestamp < c.unlockedAt) revert ChannelLocked();
    }

    function _pull(uint256 amount) private {
        require(token.transferFrom(msg.sender, address(this), amount), "transferFrom failed");
    }

    function _send(address to, uint256 amount) private {
        require(token.transfer(to, amount), "transfer failed");
    }
}
