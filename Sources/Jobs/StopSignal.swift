#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Synchronization

/// When a run should start no new node: after SIGINT or SIGTERM (a second one ends the process at once; the
/// result cache is written atomically, so nothing finished is lost), or past a deadline (`--until`).
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    public let deadline: Date?
    private nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    public init(deadline: Date? = nil) {
        self.deadline = deadline
    }

    /// A stop flag raised by SIGINT and SIGTERM from now on.
    public static func installed(deadline: Date? = nil, onSignal: @escaping @Sendable (Int32) -> Void = { _ in }) -> StopSignal {
        let stop = StopSignal(deadline: deadline)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if stop.requested.exchange(true, ordering: .relaxed) { _exit(128 + number) }
                onSignal(number)
            }
            source.resume()
            sources.append(source)
        }
        return stop
    }

    public func request() { requested.store(true, ordering: .relaxed) }

    /// True once a signal came or the deadline passed.
    public var isRequested: Bool {
        if requested.load(ordering: .relaxed) { return true }
        if let deadline, Date() >= deadline { return true }
        return false
    }

    /// The next time the local clock shows `hhmm` ("HH:MM"), today or tomorrow.
    public static func deadline(_ hhmm: String, after now: Date = Date()) throws(JobError) -> Date {
        let parts = hhmm.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let h = Int(parts[0]), let m = Int(parts[1]),
              (0..<24).contains(h), (0..<60).contains(m) else { throw .badTime(hhmm) }
        let calendar = Calendar.current
        guard let today = calendar.date(bySettingHour: h, minute: m, second: 0, of: now) else { throw .badTime(hhmm) }
        return today > now ? today : calendar.date(byAdding: .day, value: 1, to: today)!
    }
}
