import ArgumentParser
import Engine
import Execution
import Foundation
import Planning

/// `precis summarize FILE...`: the summary on standard output, progress on standard error.
struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarize documents now: the corpus summary, then each document's, on standard output.",
        discussion: "Nothing is written unless --cache names a directory for node results (a rerun with the same cache computes nothing twice). Exit status 3 when some documents failed.")

    @Argument(help: "Documents (PDF, XML, text, Markdown) or directories of them.")
    var files: [String]

    @OptionGroup var tuning: TuningOptions

    @Option(help: "Directory for node results, so a rerun resumes.")
    var cache: String?

    @Option(help: "Extra instructions appended to every prompt.")
    var instructions: String?

    @Flag(help: "No progress on standard error.")
    var quiet = false

    func run() throws {
        let session = try SummarySession(files: files, tuning: tuning, instructions: instructions)
        let plan = session.plan
        let progress = Progress(total: plan.nodes.count, quiet: quiet)
        if !quiet {
            let estimate = session.summarizer.estimate(plan)
            printError("\(plan.documents.count) documents, \(plan.nodes.count) model calls in \(plan.depth + 1) levels, about \(formatDuration(estimate.seconds)) (\(estimate.speeds.source) speeds)")
        }
        let report = session.summarizer.execute(plan, cache: cache.map { ResultCache(directory: $0) },
                                                onEvent: { progress.handle($0) })
        progress.finish()
        var failures = session.failures
        for (d, reason) in report.failedDocuments.sorted(by: { $0.key < $1.key }) {
            failures.append(DocumentFailure(path: plan.documents[d].path, reason: reason))
        }
        print(SummaryRendering.markdown(plan: plan, report: report), terminator: "")
        for failure in failures { printError("\(failure.path): \(failure.reason)") }
        if !quiet {
            printError(String(format: "done in %.1f s: %d model calls, %d from cache", report.wallSeconds, report.computed, report.fromCache))
        }
        if !failures.isEmpty {
            if failures.count == session.failures.count + plan.documents.count { throw ExitCode(1) }
            throw ExitCode(3)
        }
    }
}

/// Model, documents and plan, from the command line.
struct SummarySession {
    let summarizer: Summarizer
    let plan: Plan
    /// Documents that could not be read or have no text.
    let failures: [DocumentFailure]

    init(files: [String], tuning: TuningOptions, instructions: String?) throws {
        let paths = try InputFiles.expand(files)
        let modelPath: String
        do { modelPath = try ModelLocator(flag: tuning.model).locate().path } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let model: SummarizerModel
        do { model = try SummarizerModel(path: modelPath) } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        var options = tuning.apply(to: SummaryOptions())
        if let instructions { options.instructions = instructions }
        summarizer = Summarizer(model: model, options: options, decoding: tuning.apply(to: SummaryDecoding.default))
        let (documents, readFailures) = Pipeline.ingest(paths)
        do {
            let (plan, empty) = try summarizer.plan(documents)
            self.plan = plan
            failures = readFailures + empty
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        if plan.documents.isEmpty {
            for failure in failures { printError("\(failure.path): \(failure.reason)") }
            printError("no document could be read")
            throw ExitCode(1)
        }
    }
}

/// Expands directories into the documents inside them (sorted); files are taken as given.
enum InputFiles {
    static let extensions: Set<String> = ["pdf", "xml", "nxml", "jats", "tei", "dbk", "xhtml", "html", "htm", "txt", "text", "md", "markdown"]

    static func expand(_ arguments: [String]) throws -> [String] {
        var paths: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw ValidationError("\(argument): no such file or directory")
            }
            if !isDirectory.boolValue {
                paths.append(argument)
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: argument)
            var found: [String] = []
            while let name = enumerator?.nextObject() as? String {
                let full = (argument as NSString).appendingPathComponent(name)
                if extensions.contains((name as NSString).pathExtension.lowercased()) { found.append(full) }
            }
            paths.append(contentsOf: found.sorted())
        }
        return paths
    }
}

func formatDuration(_ seconds: Double) -> String {
    if seconds < 90 { return String(format: "%.0f s", seconds) }
    if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
    return String(format: "%.1f h", seconds / 3600)
}
