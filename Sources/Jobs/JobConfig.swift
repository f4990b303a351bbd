import Common
import Engine
import Execution
import Foundation
import Ingest
import TOMLKit

/// A job's `job.toml`: what to read and how to summarize it. Every key is optional.
///
/// ```toml
/// title = "Board packs"
/// inputs = ["inputs/", "extra/*.pdf"]   # paths or globs, relative to the job directory
/// allow_outside_inputs = false          # true: inputs may lie outside the job directory
/// method = "grounded"                  # or "mapreduce", "extractive" (`precis run --method`)
/// chunk_tokens = 768                    # and chunk_overlap, fan_in, summary_tokens, context_tokens,
/// workers = 1                           # workers, threads: each has the `precis run` flag of the same name
/// temperature = 0.0                     # and seed
/// kv_cache = "q8_0"                     # or "f16": how the model's KV cache stores keys and values
/// model = "../Models/other.gguf"        # relative to the job directory
/// instructions = "Name every decision."
/// max_pages = 2000                      # and max_input_mb, seconds_per_document: limits on each input
/// [output]
/// documents = true                      # out/documents/NAME.md
/// outline = true                        # each document's section outline in its NAME.md
/// tree = true                           # out/tree.json
/// ```
public struct JobConfig: Sendable, Equatable {
    public var title: String?
    public var inputs: [String] = ["inputs/"]
    /// `allow_outside_inputs`: inputs may resolve outside the job directory (absolute paths, `..`, links).
    public var allowOutsideInputs = false
    public var model: String?
    /// The tuning keys, as `SummaryOptions` (instructions included).
    public var options = SummaryOptions()
    public var temperature: Float?
    public var seed: UInt64?
    public var kvCache: KVCacheType?
    /// `max_pages`, `max_input_mb` (also the most text one document may hold, when above its default) and
    /// `seconds_per_document`: what one input may cost before it fails alone.
    public var ingestLimits = Ingest.Limits()
    public var output = OutputOptions()
    /// The job.toml line that sets each setting, for messages that name it.
    public var settingLines: [Setting: Int] = [:]
    /// Settings a command-line flag overrode for this run (messages then name the flag).
    public var settingsFromFlags: Set<Setting> = []

    public struct OutputOptions: Sendable, Equatable {
        public var documents = true
        public var outline = true
        public var tree = true
        public init() {}
    }

    public init() {}

    /// The decoding settings of the job's summaries: the defaults with its temperature, seed and KV cache type.
    public var decoding: SummaryDecoding {
        var decoding = SummaryDecoding.default
        if let temperature { decoding.sampling.temperature = temperature }
        if let seed { decoding.sampling.seed = seed }
        if let kvCache { decoding.kvCache = kvCache }
        return decoding
    }

    /// `message` with each setting named as this job's user set it: the flag when a flag overrode it, else the
    /// job.toml key, with its line the first time when job.toml sets it (`chunk_tokens (job.toml:3)`).
    public func describe(_ message: SettingsMessage) -> String {
        var named: Set<Setting> = []
        return message.rendered { setting in
            if settingsFromFlags.contains(setting) { return setting.flag }
            guard let line = settingLines[setting], named.insert(setting).inserted else { return setting.key }
            return "\(setting.key) (job.toml:\(line))"
        }
    }

    /// The keys job.toml knows, by table ("" is the top level). Examples/job.toml shows each (JobConfigTests).
    package static let keys: [String: Set<String>] = [
        "": ["title", "inputs", "allow_outside_inputs", "model", "instructions", "method", "chunk_tokens", "chunk_overlap", "fan_in", "summary_tokens",
             "context_tokens", "workers", "threads", "temperature", "seed", "kv_cache", "max_pages", "max_input_mb",
             "seconds_per_document", "output"],
        "output": ["documents", "outline", "tree"],
    ]

    /// Reads `job.toml` in `directory`; a directory without one is a job with every default.
    public static func load(directory: String) throws(JobError) -> JobConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAJob(path: directory, reason: "no such directory")
        }
        let path = (directory as NSString).appendingPathComponent("job.toml")
        guard FileManager.default.fileExists(atPath: path) else { return JobConfig() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .notAJob(path: path, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .syntax(path: path, line: 1, column: 1, reason: "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses job.toml text; errors name `path`, the key and its line.
    public static func parse(_ text: String, path: String) throws(JobError) -> JobConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(path: path, line: error.source.begin.line, column: error.source.begin.column,
                          reason: error.description)
        } catch {
            throw .syntax(path: path, line: 1, column: 1, reason: "\(error)")
        }
        let reader = KeyReader(path: path, source: text)
        var config = JobConfig()
        for key in table.keys.sorted() where !keys[""]!.contains(key) {
            throw .unknownKey(path: path, key: key, line: reader.line(of: key, in: ""))
        }
        if let value = table["title"] { config.title = try reader.string(value, "title") }
        if let value = table["inputs"] {
            if let single = value.string {
                config.inputs = [single]
            } else if let array = value.array {
                var list: [String] = []
                for element in array {
                    guard let s = element.string else {
                        throw reader.wrongType("inputs", expected: "a path, a glob or a list of them", got: element.type)
                    }
                    list.append(s)
                }
                guard !list.isEmpty else {
                    throw .invalidValue(path: path, key: "inputs", line: reader.line(of: "inputs", in: ""), reason: "is empty")
                }
                config.inputs = list
            } else {
                throw reader.wrongType("inputs", expected: "a path, a glob or a list of them", got: value.type)
            }
        }
        if let value = table["allow_outside_inputs"] {
            config.allowOutsideInputs = try reader.bool(value, "allow_outside_inputs", table: "")
        }
        if let value = table["model"] { config.model = try reader.string(value, "model") }
        if let value = table["instructions"] { config.options.instructions = try reader.string(value, "instructions") }
        if let value = table["method"] {
            let name = try reader.string(value, "method")
            guard let method = SummaryMethod(rawValue: name) else {
                throw .invalidValue(path: path, key: "method", line: reader.line(of: "method", in: ""),
                                    reason: "must be one of \(SummaryMethod.allowedValues), not \"\(name)\"")
            }
            config.options.method = method
        }
        if let value = table["kv_cache"] {
            let name = try reader.string(value, "kv_cache")
            guard let type = KVCacheType(rawValue: name) else {
                throw .invalidValue(path: path, key: "kv_cache", line: reader.line(of: "kv_cache", in: ""),
                                    reason: "must be one of \(KVCacheType.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(name)\"")
            }
            config.kvCache = type
        }
        if let value = table["chunk_tokens"] { config.options.chunkTokens = try reader.int(value, "chunk_tokens", 16...1_000_000) }
        if let value = table["chunk_overlap"] { config.options.chunkOverlap = try reader.int(value, "chunk_overlap", 0...1_000_000) }
        if let value = table["fan_in"] { config.options.fanIn = try reader.int(value, "fan_in", 2...1000) }
        if let value = table["summary_tokens"] { config.options.summaryTokens = try reader.int(value, "summary_tokens", 8...1_000_000) }
        if let value = table["context_tokens"] { config.options.contextTokens = try reader.int(value, "context_tokens", 64...10_000_000) }
        if let value = table["workers"] { config.options.workers = try reader.int(value, "workers", 1...256) }
        if let value = table["threads"] { config.options.threads = try reader.int(value, "threads", 1...256) }
        if let value = table["temperature"] {
            let t: Double
            if let d = value.double { t = d } else if let i = value.int { t = Double(i) } else {
                throw reader.wrongType("temperature", expected: "a number", got: value.type)
            }
            guard (0...5).contains(t) else {
                throw .invalidValue(path: path, key: "temperature", line: reader.line(of: "temperature", in: ""),
                                    reason: "must be between 0 and 5")
            }
            config.temperature = Float(t)
        }
        if let value = table["seed"] { config.seed = UInt64(try reader.int(value, "seed", 0...Int.max)) }
        if let value = table["max_pages"] { config.ingestLimits.maxPages = try reader.int(value, "max_pages", 1...10_000_000) }
        if let value = table["max_input_mb"] {
            let bytes = try reader.int(value, "max_input_mb", 1...1_048_576) << 20
            config.ingestLimits.maxInputBytes = bytes
            config.ingestLimits.maxTextBytes = max(Ingest.Limits().maxTextBytes, bytes)
        }
        if let value = table["seconds_per_document"] {
            config.ingestLimits.secondsPerDocument = try reader.int(value, "seconds_per_document", 1...86_400)
        }
        if let value = table["output"] {
            guard let output = value.table else { throw reader.wrongType("output", expected: "a table", got: value.type) }
            for key in output.keys.sorted() where !keys["output"]!.contains(key) {
                throw .unknownKey(path: path, key: "output.\(key)", line: reader.line(of: key, in: "output"))
            }
            if let v = output["documents"] { config.output.documents = try reader.bool(v, "documents", table: "output") }
            if let v = output["outline"] { config.output.outline = try reader.bool(v, "outline", table: "output") }
            if let v = output["tree"] { config.output.tree = try reader.bool(v, "tree", table: "output") }
        }
        for setting in Setting.allCases where table[setting.key] != nil {
            config.settingLines[setting] = reader.line(of: setting.key, in: "")
        }
        return config
    }
}

/// Typed reads with errors that name the key and the line it is on.
struct KeyReader {
    let path: String
    let lines: [Substring]

    init(path: String, source: String) {
        self.path = path
        lines = source.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The 1-based line where `key` is set in `table` ("" for the top level), found by scanning the source
    /// (the TOML library reports positions of syntax errors only). Dotted keys (`output.tree = …`) count too.
    func line(of key: String, in table: String) -> Int? {
        var current = ""
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                    .components(separatedBy: "#")[0].trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            var name = line[..<equals].trimmingCharacters(in: .whitespaces)
            name = name.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "'", with: "")
            let full = current.isEmpty ? name : current + "." + name
            let wanted = table.isEmpty ? key : table + "." + key
            if full == wanted || (table.isEmpty && name == key && current.isEmpty) { return index + 1 }
        }
        return nil
    }

    func wrongType(_ key: String, table: String = "", expected: String, got: TOMLType) -> JobError {
        .invalidValue(path: path, key: table.isEmpty ? key : "\(table).\(key)", line: line(of: key, in: table),
                      reason: "must be \(expected), not \("aeiou".contains(got.description.first!) ? "an" : "a") \(got)")
    }

    func string(_ value: TOMLValueConvertible, _ key: String) throws(JobError) -> String {
        guard let s = value.string else { throw wrongType(key, expected: "a string", got: value.type) }
        return s
    }

    func bool(_ value: TOMLValueConvertible, _ key: String, table: String) throws(JobError) -> Bool {
        guard let b = value.bool else { throw wrongType(key, table: table, expected: "true or false", got: value.type) }
        return b
    }

    func int(_ value: TOMLValueConvertible, _ key: String, _ range: ClosedRange<Int>) throws(JobError) -> Int {
        guard let i = value.int else { throw wrongType(key, expected: "an integer", got: value.type) }
        guard range.contains(i) else {
            throw .invalidValue(path: path, key: key, line: line(of: key, in: ""),
                                reason: "must be between \(range.lowerBound) and \(range.upperBound), not \(i)")
        }
        return i
    }
}
