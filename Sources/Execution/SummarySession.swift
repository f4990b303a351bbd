import Common
import Engine
import Foundation
import Ingest
import Planning

/// One summarization run, the one path `run`, `summarize`, `eval` and `plan` take: find and load the model,
/// read the documents, plan them, execute the plan, and collect every document that failed on the way.
///
/// ```
/// let session = try SummarySession(model: ModelLocator(flag: path), options: options)
/// let prepared = try session.prepare(paths: files)          // read + plan; failures so far
/// let run = session.run(prepared, cache: cache)              // execute; all failures, how it ended
/// ```
public final class SummarySession: Sendable {
    public let summarizer: Summarizer
    /// The model file used, and which step of the lookup order found it.
    public let modelPath: String
    public let modelSource: ModelLocator.Source
    /// How `read` reads files: its limits, and the child process PDFs are read in (nil: in this process).
    public let ingestLimits: Ingest.Limits
    public let pdfChild: Ingest.ChildCommand?

    /// Finds and loads the model. A model that cannot be found or read is a configuration error. `speedsFile`:
    /// where measured speeds are read for estimates and recorded after a run (nil: neither). `pdfChild`: the
    /// command that reads each PDF in a child process under `ingestLimits` (precis passes itself,
    /// `.thisExecutable`); nil reads PDFs in this process, where a crash of poppler is the run's.
    public init(model locator: ModelLocator, options: SummaryOptions, decoding: SummaryDecoding = .default,
                speedsFile: String? = EngineSpeeds.defaultFile(), ingestLimits: Ingest.Limits = Ingest.Limits(),
                pdfChild: Ingest.ChildCommand? = nil) throws(EngineError) {
        self.ingestLimits = ingestLimits
        self.pdfChild = pdfChild
        (modelPath, modelSource) = try locator.locate()
        let model = try SummarizerModel(path: modelPath)
        summarizer = Summarizer(model: model, options: options, decoding: decoding, speedsFile: speedsFile)
    }

    public var options: SummaryOptions { summarizer.options }

    /// Reads every file; a file that cannot be read is a failure of that document, not of the run. Returns early,
    /// with what was read, once `shouldStop` says so.
    public func read(_ paths: [String], shouldStop: () -> Bool = { false }) -> (documents: [Document], failures: [DocumentFailure]) {
        var documents: [Document] = []
        var failures: [DocumentFailure] = []
        for path in paths {
            if shouldStop() { break }
            do {
                documents.append(try Ingest.read(path: path, limits: ingestLimits, child: pdfChild))
            } catch {
                // The reason alone: the failure carries the path, and every report prints it once.
                failures.append(DocumentFailure(path: path, reason: (error as? IngestError)?.reason ?? "\(error)"))
            }
        }
        return (documents, failures)
    }

    /// Reads and plans the files at `paths`.
    public func prepare(paths: [String]) throws(PlanningError) -> PreparedRun {
        let (documents, failures) = read(paths)
        return try prepare(documents, failures: failures)
    }

    /// Plans `documents` (documents with no text join `failures`). Settings that cannot work are a
    /// configuration error naming them.
    public func prepare(_ documents: [Document], failures: [DocumentFailure] = []) throws(PlanningError) -> PreparedRun {
        guard !documents.isEmpty else { return PreparedRun(documents: [], plan: nil, failures: failures) }
        let (plan, empty) = try summarizer.plan(documents)
        return PreparedRun(documents: documents, plan: plan.documents.isEmpty ? nil : plan, failures: failures + empty)
    }

    /// The plan's time estimate with this machine's measured (or guessed) speeds.
    public func estimate(_ plan: Plan) -> (seconds: Double, speeds: EngineSpeeds) {
        summarizer.estimate(plan)
    }

    /// Executes the prepared plan; a document whose nodes failed joins the failures.
    public func run(_ prepared: PreparedRun, cache: ResultCache?,
                    onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in },
                    shouldStop: @escaping @Sendable () -> Bool = { false }) -> SessionRun {
        guard let plan = prepared.plan else {
            return SessionRun(report: nil, failures: prepared.failures, result: .noneSummarized)
        }
        let report = summarizer.execute(plan, cache: cache, onEvent: onEvent, shouldStop: shouldStop)
        var failures = prepared.failures
        for (d, reason) in report.failedDocuments.sorted(by: { $0.key < $1.key }) {
            failures.append(DocumentFailure(path: plan.documents[d].path, reason: reason))
        }
        let result: RunResult
        if report.stopped {
            result = .stopped
        } else if failures.isEmpty {
            result = .complete
        } else {
            result = report.failedDocuments.count == plan.documents.count ? .noneSummarized : .someFailed
        }
        return SessionRun(report: report, failures: failures, result: result)
    }
}

/// Documents read and planned: what a session runs.
public struct PreparedRun: Sendable {
    public var documents: [Document]
    /// nil when no document could be read or had text.
    public var plan: Plan?
    /// Documents that could not be read or have no text.
    public var failures: [DocumentFailure]
}

/// A session's run: the executor's report, every document that failed, and how it ended.
public struct SessionRun: Sendable {
    /// nil when there was nothing to run.
    public var report: ExecutionReport?
    public var failures: [DocumentFailure]
    public var result: RunResult

    /// A result the cache could not store (a full disk): the run stopped there; a rerun with space resumes.
    public var writeFailure: AtomicFile.WriteError? { report?.writeFailure }
}

/// How a run ended.
public enum RunResult: String, Sendable, Equatable {
    /// Every document summarized.
    case complete
    /// Some documents failed; the others are summarized.
    case someFailed
    /// No document could be summarized.
    case noneSummarized
    /// A stop was requested before the end; a rerun resumes.
    case stopped

    /// nil for success.
    public var failureClass: FailureClass? {
        switch self {
        case .complete: nil
        case .someFailed: .documents
        case .noneSummarized, .stopped: .other
        }
    }

    /// The run's exit status (`ExitStatus`).
    public var exitStatus: Int32 { failureClass.map(ExitStatus.of) ?? ExitStatus.success }
}
