#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Common
import Engine
import Execution
import Foundation
import Ingest
import Logging
import Planning

/// What a job run ended with.
public struct JobOutcome: Sendable {
    public var result: RunResult
    public var stopped: Bool { result == .stopped }
    public var summaryPath: String?
    public var failures: [DocumentFailure]
    public var nodesTotal: Int
    public var nodesComputed: Int
    public var nodesFromCache: Int
    public var wallSeconds: Double
}

/// Events a run reports as it goes (on the executor's worker threads).
public enum JobEvent: Sendable {
    /// The plan is made: documents, model calls, and the estimated seconds for the nodes not yet cached.
    case planned(documents: Int, nodes: Int, estimatedSeconds: Double)
    /// A node finished (or was found in the cache).
    case node(NodeRecord, JobProgress)
}

/// Runs one job directory: reads its inputs, plans, runs the plan against the job's result cache, writes `out/`.
///
/// State lives in `.precis/`: `cache/` (node results, content-addressed: a rerun, or a run after `kill -9`,
/// recomputes nothing that finished), `lock` (flock), `progress.json`, `history.jsonl`, `out.next/` (the next
/// `out/`, built there and put in place as a whole when the run completes: `out/` is always one run's complete
/// output, and a run that stops or fails part way leaves the previous one untouched).
public final class JobRunner: Sendable {
    public let directory: String
    public let config: JobConfig
    public let modelFlag: String?
    /// The command that reads each PDF in a child process under the job's limits (nil: in this process).
    public let pdfChild: Ingest.ChildCommand?
    let logger: Logger

    public init(directory: String, config: JobConfig, modelFlag: String? = nil, pdfChild: Ingest.ChildCommand? = nil,
                logger: Logger = Logger(label: "precis.jobs")) {
        self.directory = (directory as NSString).standardizingPath
        self.config = config
        self.modelFlag = modelFlag
        self.pdfChild = pdfChild
        self.logger = logger
    }

    var stateDirectory: String { directory + "/.precis" }
    public var outDirectory: String { directory + "/out" }

    /// Runs the job under its lock (`holding` one already taken, or taking it here). Throws for configuration
    /// errors (exit 2) and when another process runs the job.
    public func run(holding held: FileLock? = nil, shouldStop: @escaping @Sendable () -> Bool = { false },
                    onEvent: @escaping @Sendable (JobEvent) -> Void = { _ in }) throws(JobError) -> JobOutcome {
        let taken = held == nil ? try JobLock.acquire(directory: directory) : nil
        guard held != nil || taken != nil else { throw .busy(path: directory) }
        defer { taken?.release() }
        JobHistory.append(directory: directory, ["event": "start"])
        var progress = JobProgress(state: .running)
        try progress.store(directory: directory)
        do {
            let outcome = try runLocked(progress: &progress, shouldStop: shouldStop, onEvent: onEvent)
            JobHistory.append(directory: directory, ["event": "end", "exit_status": Int(outcome.result.exitStatus),
                                                     "stopped": outcome.stopped])
            return outcome
        } catch {
            progress.state = .failed
            progress.exitStatus = ExitStatus.of(error.failureClass)
            progress.message = error.description
            progress.updated = Date()
            try? progress.store(directory: directory)
            JobHistory.append(directory: directory, ["event": "end", "exit_status": Int(ExitStatus.of(error.failureClass)),
                                                     "error": error.description])
            throw error
        }
    }

    /// The job's inputs, model and plan, without running anything (`precis plan JOBDIR` stops here). Any problem
    /// here is the configuration's: inputs that match nothing, a model that cannot be loaded, settings that
    /// cannot work (named as the user set them: the flag, or the job.toml key and its line).
    /// A stop requested while documents are read leaves the rest unread (`run` then ends as stopped).
    public func prepare(shouldStop: () -> Bool = { false }) throws(JobError) -> (session: SummarySession, prepared: PreparedRun) {
        let (paths, warnings) = try JobInputs.resolve(config.inputs, in: directory, allowOutside: config.allowOutsideInputs)
        for warning in warnings { logger.warning("\(warning)") }
        guard !paths.isEmpty else {
            throw .noInputs(path: directory, reason: "no documents in \(config.inputs.joined(separator: ", "))")
        }
        let fromJob = config.model.map { $0.hasPrefix("/") ? $0 : (directory as NSString).appendingPathComponent($0) }
        let session: SummarySession
        do {
            session = try SummarySession(model: ModelLocator(flag: modelFlag, job: fromJob), options: config.options,
                                         decoding: config.decoding, ingestLimits: config.ingestLimits,
                                         pdfChild: pdfChild)
        } catch {
            throw .model(error.description)
        }
        let (documents, readFailures) = session.read(paths, shouldStop: shouldStop)
        for document in documents {
            for warning in document.warnings { logger.warning("\(relative(document.path)): \(warning)") }
        }
        let prepared: PreparedRun
        do {
            prepared = try session.prepare(documents, failures: readFailures)
        } catch {
            throw .planning(config.describe(error.message))
        }
        return (session, prepared)
    }

    private func runLocked(progress: inout JobProgress, shouldStop: @escaping @Sendable () -> Bool,
                           onEvent: @escaping @Sendable (JobEvent) -> Void) throws(JobError) -> JobOutcome {
        let cpuStart = CPUTime.now()
        let wallStart = Date()
        let writer = OutWriter(out: outDirectory, next: stateDirectory + "/out.next")
        try writer.prepare(cache: stateDirectory + "/cache")

        let (session, prepared) = try prepare(shouldStop: shouldStop)
        if shouldStop() {
            progress.state = JobState(.stopped)
            progress.exitStatus = RunResult.stopped.exitStatus
            progress.message = "stopped before any node ran; run again to resume"
            try progress.store(directory: directory)
            return JobOutcome(result: .stopped, summaryPath: nil, failures: [], nodesTotal: 0, nodesComputed: 0,
                              nodesFromCache: 0, wallSeconds: Date().timeIntervalSince(wallStart))
        }
        guard let plan = prepared.plan else {
            let failures = prepared.failures
            try writer.write(Self.json(failures.map { ["path": relative($0.path), "reason": $0.reason] }), as: "errors.json")
            try writer.commit()
            progress.state = JobState(.noneSummarized)
            progress.exitStatus = RunResult.noneSummarized.exitStatus
            progress.message = "no document could be read"
            try progress.store(directory: directory)
            for failure in failures { logger.error("\(relative(failure.path)): \(failure.reason)") }
            return JobOutcome(result: .noneSummarized, summaryPath: nil, failures: failures, nodesTotal: 0,
                              nodesComputed: 0, nodesFromCache: 0, wallSeconds: Date().timeIntervalSince(wallStart))
        }

        // Run.
        progress.documents = plan.documents.count
        progress.nodesTotal = plan.nodes.count
        try progress.store(directory: directory)
        let estimate = session.estimate(plan).seconds
        onEvent(.planned(documents: plan.documents.count, nodes: plan.nodes.count, estimatedSeconds: estimate))
        logger.info("\(directory): \(plan.documents.count) documents, \(plan.nodes.count) model calls, about \(Int(estimate.rounded())) s if none is cached; model \(session.modelPath)")
        let tracker = RunTracker(runner: self, plan: plan, progress: progress, estimate: estimate, cpuStart: cpuStart,
                                 writer: writer, onEvent: onEvent)
        // A progress or metrics file that cannot be written (a full disk) stops the run too, and fails it below.
        let run = session.run(prepared, cache: ResultCache(directory: stateDirectory + "/cache"),
                              onEvent: { tracker.handle($0) }, shouldStop: { shouldStop() || tracker.writeError != nil })
        if let error = tracker.writeError { throw error }
        if let failure = run.writeFailure { throw .io(path: failure.path, reason: "cannot write: \(failure.reason)") }
        // A plan always runs, so there is a report.
        let report = run.report!
        progress = tracker.snapshot()
        let failures = run.failures
        if run.result == .stopped {
            let cpu = CPUTime.now() - cpuStart
            // The previous out/ stays; this run's partial metrics stay in .precis/out.next/ until the next run.
            try writer.write(tracker.metrics(report: report, cpuSeconds: cpu, complete: false), as: "metrics.json")
            progress.state = JobState(run.result)
            progress.exitStatus = run.result.exitStatus
            progress.message = "stopped after \(progress.nodesDone) of \(plan.nodes.count) nodes; run again to resume"
            progress.etaSeconds = nil
            progress.updated = Date()
            try progress.store(directory: directory)
            logger.notice("\(progress.message!)")
            return JobOutcome(result: .stopped, summaryPath: nil, failures: failures,
                              nodesTotal: plan.nodes.count, nodesComputed: report.computed,
                              nodesFromCache: report.fromCache, wallSeconds: report.wallSeconds)
        }

        // Outputs: the next out/, then in place as a whole.
        let outputs = JobOutputs(runner: self, plan: plan, report: report, documents: prepared.documents)
        if config.output.documents {
            for (name, text) in outputs.documentPages() { try writer.write(Data(text.utf8), as: "documents/" + name) }
        }
        if config.output.tree { try writer.write(outputs.tree(), as: "tree.json") }
        try writer.write(Self.json(failures.map { ["path": relative($0.path), "reason": $0.reason] }), as: "errors.json")
        try writer.write(Data(outputs.summary().utf8), as: "summary.md")
        try writer.write(tracker.metrics(report: report, cpuSeconds: CPUTime.now() - cpuStart, complete: true), as: "metrics.json")
        try writer.commit()

        for failure in failures { logger.error("\(relative(failure.path)): \(failure.reason)") }
        progress.state = JobState(run.result)
        progress.exitStatus = run.result.exitStatus
        progress.etaSeconds = nil
        progress.updated = Date()
        progress.message = failures.isEmpty
            ? "summarized \(plan.documents.count) documents"
            : "\(failures.count) documents failed (see out/errors.json)"
        try progress.store(directory: directory)
        return JobOutcome(result: run.result, summaryPath: outDirectory + "/summary.md", failures: failures,
                          nodesTotal: plan.nodes.count, nodesComputed: report.computed, nodesFromCache: report.fromCache,
                          wallSeconds: report.wallSeconds)
    }

    /// `path` relative to the job directory when inside it.
    func relative(_ path: String) -> String {
        let standard = (path as NSString).standardizingPath
        return standard.hasPrefix(directory + "/") ? String(standard.dropFirst(directory.count + 1)) : standard
    }

    static func json(_ object: Any) -> Data {
        var data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(0x0A)
        return data
    }
}

/// User plus system CPU seconds of this process (getrusage).
enum CPUTime {
    static func now() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// Builds the next `out/` in `.precis/out.next/` and puts it in place as a whole at the end
/// (`AtomicFile.replaceDirectory`): `out/` is always one run's complete output, and a run that stops or fails part
/// way leaves the previous one as it was.
struct OutWriter {
    let out: String
    /// The directory being built (the run's live metrics.json too, until it replaces `out/`).
    let next: String

    /// Makes the directories and checks they can be written, before any model work; removes what a killed run
    /// left (its half-built `next`, temporaries), and puts back an `out/` a crash left aside.
    func prepare(cache: String) throws(JobError) {
        AtomicFile.restoreDirectory(at: out, replacedWith: next)
        try? FileManager.default.removeItem(atPath: next)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw .io(path: out, reason: "not a directory")
        }
        let parent = (out as NSString).deletingLastPathComponent
        if access(parent, W_OK) != 0 { throw .io(path: parent, reason: "cannot write: \(String(cString: strerror(errno)))") }
        for dir in [next, next + "/documents", cache] {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw .io(path: dir, reason: "cannot create: \(error.localizedDescription)")
            }
        }
        // The new out/ and the cache live on the job's file system: each must take a real file.
        for dir in [next, cache] {
            do { try AtomicFile.write(Data("probe\n".utf8), to: dir + "/.write-probe") } catch {
                throw .io(path: dir, reason: "cannot write: \(error.reason)")
            }
            unlink(dir + "/.write-probe")
        }
        Self.removeTemporaries(in: [out, out + "/documents", cache])
    }

    /// Deletes `AtomicFile` temporaries (`.NAME.tmp-PID-N`) in `directories` and one level below them.
    static func removeTemporaries(in directories: [String]) {
        let fm = FileManager.default
        for dir in directories {
            for name in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] {
                let path = dir + "/" + name
                if name.hasPrefix("."), name.contains(".tmp-") {
                    unlink(path)
                } else if name.count == 2, let inner = try? fm.contentsOfDirectory(atPath: path) {
                    for file in inner where file.hasPrefix(".") && file.contains(".tmp-") { unlink(path + "/" + file) }
                }
            }
        }
    }

    /// Writes `name` (relative to out/) into the next out/, whole.
    func write(_ data: Data, as name: String) throws(JobError) {
        do { try AtomicFile.write(data, to: next + "/" + name) } catch { throw .io(path: error.path, reason: error.reason) }
    }

    /// Puts the next out/ in place of the current one, in one step.
    func commit() throws(JobError) {
        do { try AtomicFile.replaceDirectory(at: out, with: next) } catch {
            throw .io(path: error.path, reason: error.reason)
        }
    }
}
