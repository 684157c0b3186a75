import SMTPCore
import SMTPServer
import Synchronization

/// A backend for the tests: a fixed set of recipients at `forllm.local`, and messages kept in
/// memory. `busy@…` fails temporarily; a message whose Subject is `refuse me` is refused, one
/// whose Subject is `try later` fails temporarily. `holdDeliveries()` makes deliveries wait
/// until `releaseDeliveries()` (for the shutdown test).
final class FakeSMTPBackend: SMTPBackend {
    struct Delivery: Hashable, Sendable {
        var envelope: SMTPEnvelope
        var message: [UInt8]

        var text: String {
            String(decoding: self.message, as: UTF8.self)
        }
    }

    static let recipients: Set<String> = ["forllm.general", "forllm.misc", "postmaster", "jöran"]

    private struct State {
        var deliveries: [Delivery] = []
        var checked: [SMTPMailbox] = []
        var isHolding = false
        var held: [CheckedContinuation<Void, Never>] = []
        var heldWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var deliveries: [Delivery] {
        self.state.withLock { $0.deliveries }
    }

    var checked: [SMTPMailbox] {
        self.state.withLock { $0.checked }
    }

    func recipient(_ address: SMTPMailbox) async -> SMTPRecipientDecision {
        self.state.withLock { $0.checked.append(address) }
        if address.localPart == "busy" {
            return .temporaryFailure("the store is busy, try again")
        }
        guard address.domain.lowercased() == "forllm.local", Self.recipients.contains(address.localPart.lowercased())
        else {
            return .refused("no such group or persona")
        }
        return .accepted
    }

    func deliver(_ envelope: SMTPEnvelope, message: [UInt8]) async -> SMTPDeliveryOutcome {
        await self.waitIfHeld()
        let text = String(decoding: message, as: UTF8.self)
        if text.contains("Subject: refuse me\r\n") {
            return .refused("not a valid article: no From header")
        }
        if text.contains("Subject: try later\r\n") {
            return .temporaryFailure("the store is busy")
        }
        let count = self.state.withLock { state in
            state.deliveries.append(Delivery(envelope: envelope, message: message))
            return state.deliveries.count
        }
        return .accepted(id: "<\(count)@forllm.local>")
    }

    // MARK: - Holding deliveries

    func holdDeliveries() {
        self.state.withLock { $0.isHolding = true }
    }

    func releaseDeliveries() {
        let held = self.state.withLock { state in
            state.isHolding = false
            defer { state.held = [] }
            return state.held
        }
        for continuation in held {
            continuation.resume()
        }
    }

    /// Returns once a delivery is waiting.
    func waitUntilDeliveryIsHeld() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isHeld = self.state.withLock { state in
                guard state.held.isEmpty else {
                    return true
                }
                state.heldWaiters.append(continuation)
                return false
            }
            if isHeld {
                continuation.resume()
            }
        }
    }

    private func waitIfHeld() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiters: [CheckedContinuation<Void, Never>]? = self.state.withLock { state in
                guard state.isHolding else {
                    return nil
                }
                state.held.append(continuation)
                defer { state.heldWaiters = [] }
                return state.heldWaiters
            }
            guard let waiters else {
                continuation.resume()
                return
            }
            for waiter in waiters {
                waiter.resume()
            }
        }
    }
}
