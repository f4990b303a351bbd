import ArgumentParser
import Common
import Engine
import Execution
import Foundation
import Ingest
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
        let session = try tuning.session(instructions: instructions)
        let prepared = try session.prepare(paths: try InputFiles.expand(files))
        guard let plan = prepared.plan else {
            for failure in prepared.failures { printError("\(failure.path): \(failure.reason)") }
            throw CommandError("no document could be read", .other)
        }
        let progress = Progress(total: plan.nodes.count, quiet: quiet)
        if !quiet {
            let estimate = session.estimate(plan)
            printError("\(plan.documents.count) documents, \(plan.nodes.count) model calls in \(plan.depth + 1) levels, about \(formatDuration(estimate.seconds)) (\(estimate.speeds.source) speeds)")
        }
        let run = session.run(prepared, cache: cache.map { ResultCache(directory: $0) }, onEvent: { progress.handle($0) })
        progress.finish()
        if let failure = run.writeFailure { throw CommandError(failure.description, .other) }
        if let report = run.report {
            print(SummaryRendering.markdown(plan: plan, report: report), terminator: "")
            if !quiet {
                printError(String(format: "done in %.1f s: %d model calls, %d from cache", report.wallSeconds, report.computed, report.fromCache))
            }
        }
        for failure in run.failures { printError("\(failure.path): \(failure.reason)") }
        if let failure = run.result.failureClass { throw Reported(failureClass: failure) }
    }
}

/// Expands directories into the documents inside them (`InputFormats`: by extension, sorted, hidden names
/// left out); files are taken as given.
enum InputFiles {
    static func expand(_ arguments: [String]) throws(CommandError) -> [String] {
        var paths: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw CommandError("\(argument): no such file or directory")
            }
            paths += isDirectory.boolValue ? InputFormats.documents(in: argument) : [argument]
        }
        return paths
    }
}

func formatDuration(_ seconds: Double) -> String {
    if seconds < 90 { return String(format: "%.0f s", seconds) }
    if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
    return String(format: "%.1f h", seconds / 3600)
}
