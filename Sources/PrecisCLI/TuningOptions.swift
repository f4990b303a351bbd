import ArgumentParser
import Common
import Engine
import Execution
import Ingest
import Jobs

/// The tuning flags shared by `run`, `worker`, `summarize`, `eval` and `plan`; each overrides the job's setting
/// (its job.toml key of the same name) for one run.
struct TuningOptions: ParsableArguments {
    @Option(help: "How summaries are made: mapreduce (the model merges its own summaries), extractive (ranked source sentences, no model), grounded (the model, checked against the source).")
    var method: SummaryMethod?
    @Option(help: "Tokens per chunk (its text plus overlap), by the model's tokenizer.")
    var chunkTokens: Int?
    @Option(help: "Tokens of the previous chunk repeated at the start of the next.")
    var chunkOverlap: Int?
    @Option(help: "Most summaries merged by one call.")
    var fanIn: Int?
    @Option(help: "Output budget of every summary, in tokens.")
    var summaryTokens: Int?
    @Option(help: "Context window every prompt plus its output must fit (default: from the chunk size).")
    var contextTokens: Int?
    @Option(help: "Model calls run in parallel.")
    var workers: Int?
    @Option(help: "Threads per model call.")
    var threads: Int?
    @Option(help: "Model file (default: the job's `model` for run, worker and plan JOBDIR; then $PRECIS_MODEL, ./Models, $XDG_CACHE_HOME/precis/models or ~/.cache/precis/models).")
    var model: String?
    @Option(help: "Sampling temperature (0: greedy, deterministic).")
    var temperature: Float?
    @Option(help: "Random seed for sampling.")
    var seed: UInt64?
    @Option(help: "How the model's KV cache stores keys and values: q8_0 (about half the memory of f16) or f16.")
    var kvCache: KVCacheType?

    /// The settings given as flags.
    var given: Set<Setting> {
        let flags: [(Setting, Any?)] = [
            (.method, method), (.chunkTokens, chunkTokens), (.chunkOverlap, chunkOverlap), (.fanIn, fanIn),
            (.summaryTokens, summaryTokens), (.contextTokens, contextTokens), (.workers, workers), (.threads, threads),
            (.model, model), (.temperature, temperature), (.seed, seed), (.kvCache, kvCache),
        ]
        return Set(flags.compactMap { $0.1 == nil ? nil : $0.0 })
    }

    /// `base` with every given flag applied.
    func apply(to base: SummaryOptions) -> SummaryOptions {
        var o = base
        if let method { o.method = method }
        if let chunkTokens { o.chunkTokens = chunkTokens }
        if let chunkOverlap { o.chunkOverlap = chunkOverlap }
        if let fanIn { o.fanIn = fanIn }
        if let summaryTokens { o.summaryTokens = summaryTokens }
        if let contextTokens { o.contextTokens = contextTokens }
        if let workers { o.workers = workers }
        if let threads { o.threads = threads }
        return o
    }

    /// The default decoding with the given flags applied.
    var decoding: SummaryDecoding {
        var d = SummaryDecoding.default
        if let temperature { d.sampling.temperature = temperature }
        if let seed { d.sampling.seed = seed }
        if let kvCache { d.kvCache = kvCache }
        return d
    }

    /// A session for documents named on the command line (no job): the model by `--model` and the lookup order.
    func session(instructions: String? = nil) throws(EngineError) -> SummarySession {
        var options = apply(to: SummaryOptions())
        if let instructions { options.instructions = instructions }
        return try SummarySession(model: ModelLocator(flag: model), options: options, decoding: decoding,
                                  pdfChild: .thisExecutable)
    }

    /// A job's settings with the given flags (and `instructions`) applied; messages then name those flags.
    func apply(to config: inout JobConfig, instructions: String?) {
        config.options = apply(to: config.options)
        if let temperature { config.temperature = temperature }
        if let seed { config.seed = seed }
        if let kvCache { config.kvCache = kvCache }
        if let instructions { config.options.instructions = instructions }
        config.settingsFromFlags.formUnion(given)
        if instructions != nil { config.settingsFromFlags.insert(.instructions) }
    }

    func validate() throws {
        for (name, value) in [("--workers", workers), ("--threads", threads)] {
            if let value, value < 1 || value > 256 { throw ValidationError("\(name) must be between 1 and 256") }
        }
        if let temperature, temperature < 0 || temperature > 5 { throw ValidationError("--temperature must be between 0 and 5") }
    }
}

extension SummaryMethod: ExpressibleByArgument {}
extension KVCacheType: ExpressibleByArgument {}
