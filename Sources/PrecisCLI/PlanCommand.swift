import ArgumentParser
import Execution
import Foundation
import Ingest
import Jobs
import Planning

/// `precis plan FILE...`: the tree, its token totals and a time estimate, without running the model.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the summary tree, token totals per level and a time estimate, without running the model.",
        discussion: "A job directory (one with a job.toml) is planned as `precis run` would run it: its inputs, model and settings, the flags overriding them. Every prompt is counted with the model's tokenizer and proved to fit the context window; impossible settings are rejected here (exit status 2). Exit status 3 when some documents cannot be read.")

    @Argument(help: "A job directory, or documents (PDF, XML, text, Markdown) and directories of them.")
    var files: [String]

    @OptionGroup var tuning: TuningOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func run() throws {
        let (session, prepared) = try prepare()
        for failure in prepared.failures { printError("\(failure.path): \(failure.reason)") }
        guard let plan = prepared.plan else { throw CommandError("no document could be read", .other) }
        let estimate = session.estimate(plan)
        if json {
            print(PlanJSON.render(plan, estimatedSeconds: estimate.seconds))
        } else {
            print(PlanJSON.text(plan, estimate: estimate, options: session.options))
        }
        if !prepared.failures.isEmpty { throw Reported(failureClass: .documents) }
    }

    /// The job's plan when the one argument is a job directory, else the plan of the documents named.
    private func prepare() throws -> (SummarySession, PreparedRun) {
        if files.count == 1, FileManager.default.fileExists(atPath: (files[0] as NSString).appendingPathComponent("job.toml")) {
            JobLogging.bootstrap(quiet: false)  // the job's warnings on standard error, never in the plan
            var config = try JobConfig.load(directory: files[0])
            tuning.apply(to: &config, instructions: nil)
            return try JobRunner(directory: files[0], config: config, modelFlag: tuning.model, pdfChild: .thisExecutable)
                .prepare()
        }
        let session = try tuning.session()
        return (session, try session.prepare(paths: try InputFiles.expand(files)))
    }
}

enum PlanJSON {
    static func render(_ plan: Plan, estimatedSeconds: Double) -> String {
        var root: [String: Any] = [
            "context_tokens": plan.parameters.contextTokens,
            "chunk_tokens": plan.parameters.chunking.chunkTokens,
            "chunk_overlap": plan.parameters.chunking.overlapTokens,
            "summary_tokens": plan.parameters.summaryTokens,
            "fan_in": plan.parameters.fanIn,
            "depth": plan.depth,
            "estimated_seconds": (estimatedSeconds * 10).rounded() / 10,
            "documents": plan.documents.map { ["path": $0.path, "title": $0.title, "chunks": $0.chunks.count, "root": $0.root] as [String: Any] },
        ]
        root["levels"] = plan.levels.map {
            ["level": $0.level, "nodes": $0.nodes, "input_tokens": $0.inputTokens, "output_tokens": $0.outputTokens]
        }
        root["nodes"] = plan.nodes.map { node -> [String: Any] in
            var n = plan.jsonFields(of: node)
            n["prompt_tokens"] = node.promptTokens
            return n
        }
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func text(_ plan: Plan, estimate: (seconds: Double, speeds: EngineSpeeds), options: SummaryOptions) -> String {
        let p = plan.parameters
        var out = "context \(p.contextTokens) tokens, chunks of \(p.chunking.chunkTokens) (overlap \(p.chunking.overlapTokens)), summaries of \(p.summaryTokens), fan-in \(p.fanIn)\n\n"
        for doc in plan.documents {
            let pages = plan.nodes[doc.root].firstPage.map { f in " pages \(f)–\(plan.nodes[doc.root].lastPage ?? f)," } ?? ""
            out += "\(doc.title) (\(doc.path)):\(pages) \(doc.chunks.count) chunks\n"
        }
        out += "\nlevel  nodes  input tokens  output tokens (at most)\n"
        for level in plan.levels {
            out += String(format: "%5d  %5d  %12d  %13d\n", level.level, level.nodes, level.inputTokens, level.outputTokens)
        }
        let total = plan.levels.reduce(0) { $0 + $1.inputTokens }
        if options.method == .extractive {
            out += "\n\(plan.nodes.count) nodes, no model calls (extractive), depth \(plan.depth)"
            if let root = plan.corpusRoot { out += ", corpus root node \(root)" }
            return out + "\nestimated time: under a second a document (sentence ranking only)\n"
        }
        out += "\n\(plan.nodes.count) model calls, \(total) prompt tokens, depth \(plan.depth) (predicted \(plan.predictedDepth))"
        if let root = plan.corpusRoot { out += ", corpus root node \(root)" }
        out += String(format: "\nestimated time: %@ with %d worker(s) × %d thread(s) at %.0f prompt / %.0f generated tokens/s (%@)\n",
                      formatDuration(estimate.seconds), options.workers, options.threads,
                      estimate.speeds.prefillTokensPerSecond, estimate.speeds.decodeTokensPerSecond, estimate.speeds.source)
        return out
    }
}
