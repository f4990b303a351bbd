import ArgumentParser
import Common
import Engine
import Foundation

/// `precis bench [--model M] [--prompt-tokens N] [--gen-tokens N] [--threads N] [--json]`: prefill and decode
/// speed of the model on this machine.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure prompt processing (prefill) and generation (decode) speed, in tokens per second.",
        discussion: """
            Prefills a prompt of --prompt-tokens tokens in one context, then decodes --gen-tokens tokens greedily \
            after it, and prints both speeds and the kernel path. Use a release build on a quiet machine.
            """)

    @Option(help: "Model file (default: $PRECIS_MODEL, ./Models, $XDG_CACHE_HOME/precis/models or ~/.cache/precis/models).")
    var model: String?

    @Option(help: "Prompt tokens to prefill.")
    var promptTokens = 512

    @Option(help: "Tokens to decode after the prompt.")
    var genTokens = 128

    @Option(help: "Threads for the matrix work (default: the number of cores).")
    var threads: Int?

    @Option(help: "Prompt tokens per forward pass.")
    var batch = InferenceContext.defaultBatchSize

    @Option(help: "How the KV cache stores keys and values: f16 or q8_0.")
    var kvCache = KVCacheType.defaultType

    @Option(help: "Runs of each measurement; the best is reported.")
    var repetitions = 1

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if promptTokens < 1 || genTokens < 1 { throw ValidationError("--prompt-tokens and --gen-tokens must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batch < 1 || repetitions < 1 { throw ValidationError("--batch and --repetitions must be at least 1") }
    }

    func run() throws {
        let loaded = try Model(path: ModelLocator(flag: model).locate().path)
        let window = loaded.config.contextLength
        guard promptTokens + genTokens <= window else {
            throw CommandError("--prompt-tokens \(promptTokens) + --gen-tokens \(genTokens) exceeds the model's context window of \(window) tokens")
        }
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        var result = try BenchResult.measure(model: loaded, promptTokens: promptTokens, genTokens: genTokens,
                                             threads: threads, batch: batch, cacheType: kvCache,
                                             repetitions: repetitions)
        result.peakResidentKiB = Self.peakResidentKiB()
        result.modelFileKiB = loaded.file.file.bytes.count / 1024
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(String(format: "prefill %d tokens: %.1f tokens/s", result.promptTokens, result.prefillTokensPerSecond))
            print(String(format: "decode %d tokens after them: %.1f tokens/s", result.genTokens, result.decodeTokensPerSecond))
            print("threads \(result.threads), kernels \(result.isa), batch \(batch), KV cache \(result.cacheType)")
            print("peak resident memory \(result.peakResidentKiB / 1024) MiB: model file \(result.modelFileKiB / 1024) MiB, "
                  + "KV cache for \(promptTokens + genTokens) positions \(result.kvCacheKiB / 1024) MiB")
        }
    }

    #if os(Linux)
    private static let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let RUSAGE_SELF_WHO = RUSAGE_SELF
    #endif

    /// The process's peak resident set so far, in KiB (getrusage; Linux reports KiB, macOS bytes).
    static func peakResidentKiB() -> Int {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF_WHO, &usage) == 0 else { return 0 }
        #if os(Linux)
        return Int(usage.ru_maxrss)
        #else
        return Int(usage.ru_maxrss) / 1024
        #endif
    }
}

/// What `precis bench --json` prints (DESIGN.md).
struct BenchResult: Encodable {
    var prefillTokensPerSecond: Double
    var decodeTokensPerSecond: Double
    var promptTokens: Int
    var genTokens: Int
    var threads: Int
    var isa: String
    /// Peak resident memory of the process, the model file's size and the KV cache's, in KiB.
    var peakResidentKiB = 0
    var modelFileKiB = 0
    var kvCacheKiB = 0
    var cacheType = KVCacheType.defaultType

    enum CodingKeys: String, CodingKey {
        case prefillTokensPerSecond = "prefill_tokens_per_s"
        case decodeTokensPerSecond = "decode_tokens_per_s"
        case promptTokens = "prompt_tokens"
        case genTokens = "gen_tokens"
        case threads, isa
        case peakResidentKiB = "peak_rss_kib"
        case modelFileKiB = "model_file_kib"
        case kvCacheKiB = "kv_cache_kib"
        case cacheType = "kv_cache_type"
    }

    static func measure(model: Model, promptTokens: Int, genTokens: Int, threads: Int, batch: Int,
                        cacheType: KVCacheType, repetitions: Int) throws -> BenchResult {
        let vocab = model.config.vocabularySize
        let context = InferenceContext(model: model, contextLength: promptTokens + genTokens, threads: threads,
                                       batchSize: batch, cacheType: cacheType)
        let sampler = Sampler(vocabularySize: vocab, parameters: .greedy)
        // A fixed pseudo-random prompt (as llama-bench does): the speed does not depend on the text.
        var random = SeededGenerator(seed: 1)
        let prompt = (0..<promptTokens).map { _ in Int32(truncatingIfNeeded: random.next() % UInt64(vocab)) }

        // Warm-up: touch every weight once.
        try prompt.prefix(min(8, promptTokens)).withUnsafeBufferPointer { try context.evaluate($0) }

        var best = (prefill: 0.0, decode: 0.0)
        for _ in 0..<repetitions {
            context.reset()
            let t0 = DispatchTime.now().uptimeNanoseconds
            try prompt.withUnsafeBufferPointer { try context.evaluate($0) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<genTokens {
                let token = context.withLogits { sampler.sample($0) }
                try context.evaluate(token: token)
            }
            let t2 = DispatchTime.now().uptimeNanoseconds
            best.prefill = max(best.prefill, Double(promptTokens) / (Double(t1 - t0) / 1e9))
            best.decode = max(best.decode, Double(genTokens) / (Double(t2 - t1) / 1e9))
        }
        return BenchResult(prefillTokensPerSecond: best.prefill, decodeTokensPerSecond: best.decode,
                           promptTokens: promptTokens, genTokens: genTokens, threads: threads, isa: Kernels.path,
                           kvCacheKiB: context.cache.byteCount / 1024, cacheType: context.cache.type)
    }
}

