import Synchronization

/// One write-once slot per index, filled by parallel workers and read when they are done: the results of a
/// `DispatchQueue.concurrentPerform` in index order. Each index is written by one worker.
public final class Slots<Value: Sendable>: Sendable {
    private let storage: Mutex<[Value?]>

    public init(count: Int) {
        storage = Mutex([Value?](repeating: nil, count: count))
    }

    /// The value at `index`; nil until a worker has written it.
    public subscript(index: Int) -> Value? {
        get { storage.withLock { $0[index] } }
        set { storage.withLock { $0[index] = newValue } }
    }

    /// Every slot, in index order.
    public var values: [Value?] { storage.withLock { $0 } }
}
