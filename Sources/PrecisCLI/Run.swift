import ArgumentParser
import Execution
import Foundation
import Ingest
import Jobs
import Logging

/// `precis run JOBDIR`: one job now, in the foreground, resumable.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one job directory now, in the foreground; an interrupted run resumes where it stopped.",
        discussion: "Writes JOBDIR/out/ (summary.md, documents/, tree.json, metrics.json, errors.json); state in JOBDIR/.precis/. SIGINT or SIGTERM stops after the nodes in hand. Exit status: 0 all documents summarized; 2 usage or configuration error; 3 some documents failed (the rest are in out/); 1 anything else (a stopped run too).")

    @Argument(help: "The job directory (job.toml and inputs/).")
    var job: String

    @OptionGroup var tuning: TuningOptions

    @Option(help: "Extra instructions appended to every prompt (overrides job.toml's).")
    var instructions: String?

    @Flag(help: "Only warnings and errors on standard error.")
    var quiet = false

    func run() throws {
        JobLogging.bootstrap(quiet: quiet)
        let logger = Logger(label: "precis.run")
        var config = try JobConfig.load(directory: job)
        tuning.apply(to: &config, instructions: instructions)
        let display = JobDisplay(quiet: quiet, logger: logger)
        let stop = StopSignal.installed { _ in display.note("stopping after the nodes in hand (again to stop now)") }
        let runner = JobRunner(directory: job, config: config, modelFlag: tuning.model, pdfChild: .thisExecutable,
                               logger: logger)
        defer { display.finish() }
        let outcome = try runner.run(shouldStop: { stop.isRequested }, onEvent: { display.handle($0) })
        display.finish()
        if outcome.stopped {
            printError("stopped: \(outcome.nodesComputed) nodes computed this run; `precis run \(job)` resumes")
        }
        if let summary = outcome.summaryPath {
            print("summary: \(summary)")
        }
        if !quiet && !outcome.stopped {
            printError(String(format: "done in %.1f s: %d nodes computed, %d from cache", outcome.wallSeconds,
                              outcome.nodesComputed, outcome.nodesFromCache))
        }
        if let failure = outcome.result.failureClass { throw Reported(failureClass: failure) }
    }
}

enum JobLogging {
    /// Log lines on standard error: info and up, or warnings and up with `--quiet`.
    static func bootstrap(quiet: Bool) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = quiet ? .warning : .info
            return handler
        }
    }
}

/// Progress of a job: a live line on a terminal, one log line per node otherwise; nothing with `--quiet`.
final class JobDisplay: @unchecked Sendable {
    private let quiet: Bool
    private let live = isatty(STDERR_FILENO) != 0
    private let logger: Logger
    private let lock = NSLock()
    private let start = Date()
    private var shown = false
    let prefix: String

    init(quiet: Bool, logger: Logger, prefix: String = "") {
        self.quiet = quiet
        self.logger = logger
        self.prefix = prefix
    }

    func handle(_ event: JobEvent) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .planned:
            break  // the runner logs the plan
        case let .node(record, p):
            let elapsed = Date().timeIntervalSince(start)
            let rate = elapsed > 0 ? Double(p.outputTokens) / elapsed : 0
            let eta = p.etaSeconds.map { formatDuration($0) } ?? "?"
            if live {
                let line = String(format: "%@[%d/%d documents] [%d/%d nodes, %d cached] %.1f tokens/s, %@ left", prefix,
                                  p.documentsDone, p.documents, p.nodesDone, p.nodesTotal, p.nodesFromCache, rate, eta)
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                shown = true
                if record.status == .failed, let error = record.error {
                    FileHandle.standardError.write(Data("\nprecis: node \(record.id) failed: \(error)\n".utf8))
                }
            } else {
                var line = "\(prefix)node \(record.id) \(record.status.rawValue): \(p.nodesDone)/\(p.nodesTotal) nodes, \(p.documentsDone)/\(p.documents) documents, \(String(format: "%.1f", rate)) tokens/s, \(eta) left"
                if let error = record.error { line += " (\(error))" }
                if record.status == .failed { logger.error("\(line)") } else { logger.info("\(line)") }
            }
        }
    }

    func note(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        if live && shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
        printError(message)
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if live && shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}
