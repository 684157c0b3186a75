import GRDB

/// Notifies a ``QueueSignal`` after a commit that inserted rows into a queue table: the search
/// index's (`search_pending`, ``ForumDatabase/searchSignal``) and Maildir delivery's
/// (`delivery`, ``ForumDatabase/deliverySignal``). A GRDB transaction observer on the writer,
/// for the database's lifetime.
///
/// One observer for every transaction, rather than a callback registered per queued row
/// (`afterNextTransaction`): GRDB asks every registered observer about every statement, so an
/// import of a thousand articles in one transaction registered a thousand callbacks and paid for
/// each a thousand times (importing 100,000 messages: about 3 s for the search queue's, and 6 s
/// for delivery's with Maildir delivery on).
final class QueueObserver: TransactionObserver {
    let table: String
    let signal: QueueSignal
    // Touched only on the writer's queue, where GRDB calls every method of an observer: no lock.
    private var inserted = false

    init(table: String, signal: QueueSignal) {
        self.table = table
        self.signal = signal
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if case .insert(let table) = eventKind { return table == self.table }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {
        self.inserted = true
    }

    func databaseDidCommit(_ db: Database) {
        if self.inserted { self.signal.notify() }
        self.inserted = false
    }

    func databaseDidRollback(_ db: Database) {
        self.inserted = false
    }
}
