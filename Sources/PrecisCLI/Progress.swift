import Execution
import Foundation

/// Progress on standard error: a live line on a terminal, plain lines otherwise.
final class Progress: @unchecked Sendable {
    private let total: Int
    private let quiet: Bool
    private let live = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private var done = 0
    private var outputTokens = 0
    private var computeSeconds = 0.0
    private let start = Date()
    private var lastPlain = Date.distantPast

    init(total: Int, quiet: Bool) {
        self.total = total
        self.quiet = quiet
    }

    func handle(_ event: ExecutionEvent) {
        guard case let .finished(record) = event, !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        if record.status == .computed, let output = record.output {
            outputTokens += output.outputTokens
            computeSeconds += output.seconds
        }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(outputTokens) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let line = String(format: "[%d/%d nodes] %.1f tokens/s generated, %@ left", done, total, rate, formatDuration(eta))
        if live {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        } else if Date().timeIntervalSince(lastPlain) > 10 || done == total {
            lastPlain = Date()
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if record.status == .failed, let error = record.error {
            FileHandle.standardError.write(Data(((live ? "\n" : "") + "precis: node \(record.id) failed: \(error)\n").utf8))
        }
    }

    func finish() {
        if live && !quiet && done > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
