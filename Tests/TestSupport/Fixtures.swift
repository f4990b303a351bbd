import Common
import Foundation

/// Paths shared by the test targets.
public enum Fixtures {
    /// The package root (the directory holding Package.swift).
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TestSupport/Fixtures.swift
        return url
    }()

    /// The bundled model, as `make model` installs it; `PRECIS_MODEL` overrides.
    public static var modelPath: String {
        if let env = ProcessInfo.processInfo.environment["PRECIS_MODEL"], !env.isEmpty { return env }
        return packageRoot.appendingPathComponent("Models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    /// The `precis` executable built beside the test bundle.
    public static var precisExecutable: URL {
        if let env = ProcessInfo.processInfo.environment["PRECIS_BIN"], !env.isEmpty { return URL(fileURLWithPath: env) }
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL { candidates.append(bundle.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for bundle in Bundle.allBundles { candidates.append(bundle.bundleURL.deletingLastPathComponent()) }
        for directory in candidates {
            let url = directory.appendingPathComponent("precis")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/release/precis")
    }

    /// The tests' own cache directory, in place of the user's `~/.cache/precis` (speeds.json, models/): emptied
    /// once per test process, then given to in-process code (`speedsFile`) and, as `XDG_CACHE_HOME`, to every
    /// command `runCommand` starts.
    public static let cacheHome: URL = {
        let url = packageRoot.appendingPathComponent(".build/test-cache", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// `speeds.json` in the tests' cache directory (what `EngineSpeeds.defaultFile()` is for a user).
    public static var speedsFile: String { cacheHome.appendingPathComponent("precis/speeds.json").path }

    /// This process's environment for a child command: the tests' cache directory, then `extra`.
    public static func environment(_ extra: [String: String] = [:], removing: [String] = []) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in removing { env.removeValue(forKey: key) }
        env["XDG_CACHE_HOME"] = cacheHome.path
        env.merge(extra) { $1 }
        return env
    }

    /// A fresh temporary directory, removed by the caller with `cleanUp`.
    public static func temporaryDirectory(_ label: String = "precis-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The result of running a command.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs an executable with arguments, in `directory`, with `Fixtures.environment(environment, removing:)`: this
/// process's environment with the tests' cache directory and `environment` added.
public func runCommand(_ executable: URL, _ arguments: [String], directory: URL? = nil,
                       environment: [String: String] = [:], removing: [String] = []) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = Fixtures.environment(environment, removing: removing)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes to the end before waiting, so a chatty child never blocks on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// The seeded generator of the sampler (SplitMix64), under the name the tests know, so property tests reproduce.
public typealias SplitMix64 = SeededGenerator
