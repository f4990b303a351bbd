import ArgumentParser
import Common
import Engine
import Evaluation
import Execution
import Foundation

/// `precis eval DIR_OR_FILES`: summarizes each document with one method and scores it against its reference.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a method's summaries against reference summaries: ROUGE-1/2/L, unsupported numbers, loops, length, time.",
        discussion: """
            The reference of DOC.EXT is DOC.ref.txt or DOC.ref.md beside it, else the document's own abstract \
            (JATS, TEI, DocBook, PDF), which is then withheld from the input, as are body paragraphs that repeat \
            the reference. Each document is summarized on its own. Prints a Markdown table (or JSON with --json): \
            one row per document and the mean. Exit status 3 when some documents had no reference or failed.
            """)

    @Argument(help: "Documents or directories of them (reference files *.ref.txt, *.ref.md are not documents).")
    var files: [String]

    @OptionGroup var tuning: TuningOptions

    @Flag(help: "Print the report as JSON (every document with its summary, and the totals).")
    var json = false

    @Option(help: "Directory for node results, so a rerun resumes.")
    var cache: String?

    @Flag(help: "No progress on standard error.")
    var quiet = false

    @Option(help: "Hold an exclusive flock on this file while each document is summarized (a machine shared with other benchmarks that take the same lock: honest timings, and they can run between documents).")
    var lock: String?

    func run() throws {
        let paths = try InputFiles.expand(files).filter { !EvalCase.isReferenceFile($0) }
        let session = try tuning.session()
        let evaluator = Evaluator(session: session)
        let (documents, failures) = session.read(paths)
        var problems = failures.map { "\($0.path): \($0.reason)" }
        var cases: [EvalCase] = []
        for document in documents {
            do {
                if let evalCase = try EvalCase.make(document) {
                    cases.append(evalCase)
                } else {
                    problems.append("\(document.path): no reference (no \((EvalCase.referencePaths(for: document.path)[0] as NSString).lastPathComponent) and no abstract)")
                }
            } catch {
                problems.append("\(document.path): cannot read the reference: \(error)")
            }
        }
        for problem in problems { printError(problem) }
        guard !cases.isEmpty else { throw CommandError("no document with a reference", .other) }
        let resultCache = cache.map { ResultCache(directory: $0) }
        var results: [EvalResult] = []
        for (i, evalCase) in cases.enumerated() {
            let held = try lock.map { path throws(CommandError) in
                do { return try FileLock.acquire(path: path, wait: true) } catch { throw CommandError("--lock \(error)") }
            }
            let result = evaluator.evaluate(evalCase, cache: resultCache)
            held??.release()
            if !quiet {
                let m = result.metrics
                let scores = String(format: "R-1 %.1f R-2 %.1f R-L %.1f, %d tokens, %.1f s", m.rouge.rouge1, m.rouge.rouge2,
                                    m.rouge.rougeL, m.tokens, m.seconds)
                    + ", numbers unsupported \(m.unsupportedNumbers.count)/\(m.numbers)"
                    + (m.repeated4Gram ? ", repeated 4-gram" : "") + (m.endsOnSentence ? "" : ", no sentence end")
                printError("[\(i + 1)/\(cases.count)] \((result.path as NSString).lastPathComponent): \(scores)"
                           + (result.error.map { " (failed: \($0))" } ?? ""))
            }
            results.append(result)
        }
        let report = EvalReport(method: session.options.method, options: session.options, results: results)
        print(json ? try report.json() : report.markdown(), terminator: json ? "\n" : "")
        if !problems.isEmpty || results.contains(where: { $0.error != nil }) { throw Reported(failureClass: .documents) }
    }
}
