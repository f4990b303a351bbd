import Chunking
import Common
import Foundation
import Grounding
import Ingest
import Planning

/// Plans and runs the summary of a set of documents with one model: what `summarize`, `plan` and job runs share.
public final class Summarizer: Sendable {
    public let model: SummarizerModel
    public let options: SummaryOptions
    public let decoding: SummaryDecoding
    public let planner: Planner<ModelTokenCounter>
    /// Where measured speeds are read (for estimates) and recorded after a run; nil: neither (a rough guess).
    public let speedsFile: String?

    public init(model: SummarizerModel, options: SummaryOptions, decoding: SummaryDecoding = .default,
                speedsFile: String? = EngineSpeeds.defaultFile()) {
        self.model = model
        self.options = options
        self.decoding = decoding
        self.speedsFile = speedsFile
        let wrap: @Sendable (String) -> String = { [model] in model.wrap($0) }
        planner = Planner(counter: model.counter, wrap: wrap, prompts: Prompts(instructions: options.instructions),
                          parameters: options.planParameters(modelContext: model.contextLength))
    }

    /// The plan of `documents`; documents with no text are failures, not errors.
    public func plan(_ documents: [Document]) throws(PlanningError) -> (plan: Plan, failures: [DocumentFailure]) {
        let contextTokens = planner.parameters.contextTokens
        guard contextTokens <= model.contextLength else {
            throw .configuration("\(Setting.contextTokens) \(contextTokens) exceeds the model's context window of \(model.contextLength) tokens")
        }
        let keyPoints: Planner<ModelTokenCounter>.KeyPoints? = options.method == .grounded ? { [self] _, chunks in
            Self.keyPoints(SourceIndexes.index(of: chunks), chunks: chunks, budget: planner.parameters.keyPointTokens,
                           counter: model.counter)
        } : nil
        let (plan, excluded) = try planner.plan(documents.map(PlannerInput.init), keyPoints: keyPoints)
        return (plan, excluded.map { DocumentFailure(path: $0.path, reason: $0.reason) })
    }

    /// What every model call of this summarizer shares in its cache key.
    public var nodeKey: NodeKey.Run {
        NodeKey.Run(model: model.identity, decoding: decoding, contextTokens: planner.parameters.contextTokens,
                    method: options.method)
    }

    /// Runs the plan with `options.workers` workers of `options.threads` threads each.
    public func execute(_ plan: Plan, cache: ResultCache?,
                        onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in },
                        shouldStop: @escaping @Sendable () -> Bool = { false }) -> ExecutionReport {
        switch options.method {
        case .mapreduce: break
        case .extractive: return extract(plan, onEvent: onEvent, shouldStop: shouldStop)
        case .grounded: return executeGrounded(plan, cache: cache, onEvent: onEvent, shouldStop: shouldStop)
        }
        let planner = self.planner
        let model = self.model
        let decoding = self.decoding
        let threads = options.threads
        let context = plan.parameters.contextTokens
        let executor = Executor(
            plan: plan, render: { node, texts in planner.prompt(for: node, in: plan, childTexts: texts) },
            counter: model.counter, key: nodeKey, cache: cache,
            workers: options.workers,
            makeRunner: { _ in EngineRunner(model: model, contextTokens: context, threads: threads, decoding: decoding) },
            onEvent: onEvent, shouldStop: shouldStop)
        let report = executor.run()
        recordSpeeds(report)
        return report
    }

    /// Runs `executor` and records the speeds it measured.
    func run(_ executor: Executor) -> ExecutionReport {
        let report = executor.run()
        recordSpeeds(report)
        return report
    }

    /// Remembers the speeds this run measured, for `precis plan`'s estimates.
    private func recordSpeeds(_ report: ExecutionReport) {
        let computed = report.records.compactMap { $0 }.filter { $0.status == .computed }.compactMap(\.output)
        let promptTokens = computed.reduce(0) { $0 + $1.promptTokens }
        let promptSeconds = computed.reduce(0) { $0 + $1.promptSeconds }
        let outputTokens = computed.reduce(0) { $0 + $1.outputTokens }
        let outputSeconds = computed.reduce(0) { $0 + $1.seconds - $1.promptSeconds }
        guard let speedsFile, promptTokens > 200, outputTokens > 50, promptSeconds > 0, outputSeconds > 0 else { return }
        EngineSpeeds.store(EngineSpeeds(prefillTokensPerSecond: Double(promptTokens) / promptSeconds,
                                        decodeTokensPerSecond: Double(outputTokens) / outputSeconds,
                                        source: "measured"),
                           in: speedsFile, modelIdentity: model.identity, threads: options.threads)
    }

    /// The plan's time estimate with this machine's measured (or guessed) speeds.
    public func estimate(_ plan: Plan) -> (seconds: Double, speeds: EngineSpeeds) {
        let speeds = EngineSpeeds.load(from: speedsFile, modelIdentity: model.identity, modelBytes: model.gguf.file.bytes.count,
                                       threads: options.threads)
        // Extraction makes no model call: ranking takes well under a second a document.
        if options.method == .extractive { return (0, speeds) }
        // Parallel workers share the cores: the per-call speed falls as workers × threads exceeds them.
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let share = min(1, Double(cores) / Double(options.workers * options.threads))
        let seconds = plan.estimatedSeconds(prefillTokensPerSecond: speeds.prefillTokensPerSecond * share,
                                            decodeTokensPerSecond: speeds.decodeTokensPerSecond * share,
                                            workers: options.workers)
        return (seconds, speeds)
    }
}
