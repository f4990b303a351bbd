#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// `precis run` killed with SIGKILL at random moments, resumed each time, against an uninterrupted run.
@Suite(.serialized) struct CrashResumeTests {
    static let files = (0..<2).reduce(into: [String: String]()) { $0["doc\($1).md"] = JobCorpus.markdown($1, paragraphs: 3) }

    /// What must be identical between runs: the summaries, and every node's text and provenance.
    static func outputs(_ job: URL) throws -> [String: String] {
        let out = job.appendingPathComponent("out")
        var result: [String: String] = [:]
        result["summary.md"] = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        for name in try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("documents").path) {
            result["documents/" + name] = try String(contentsOf: out.appendingPathComponent("documents/" + name), encoding: .utf8)
        }
        let tree = try JobCorpus.json(out.appendingPathComponent("tree.json")) as! [String: Any]
        for case let node as [String: Any] in tree["nodes"] as! [Any] {
            let keep = ["kind", "level", "inputs", "document", "pages", "section", "text", "output_tokens", "prompt_tokens"]
            let data = try JSONSerialization.data(withJSONObject: node.filter { keep.contains($0.key) }, options: [.sortedKeys])
            result["node \(node["id"]!)"] = String(decoding: data, as: UTF8.self)
        }
        return result
    }

    /// Checks that every file in out/ is whole: JSON parses, no temporary or hidden names, Markdown ends its
    /// last line. Returns a problem, or nil.
    static func outProblem(_ job: URL) -> String? {
        let out = job.appendingPathComponent("out")
        guard let names = FileManager.default.enumerator(atPath: out.path)?.allObjects as? [String] else { return nil }
        for name in names {
            let path = out.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if (name as NSString).lastPathComponent.hasPrefix(".") { return "temporary file in out/: \(name)" }
            guard let data = FileManager.default.contents(atPath: path) else { continue }  // replaced meanwhile
            if name.hasSuffix(".json") {
                if (try? JSONSerialization.jsonObject(with: data)) == nil { return "\(name) does not parse (\(data.count) bytes)" }
            } else if name.hasSuffix(".md") {
                if data.last != 0x0A { return "\(name) is cut (\(data.count) bytes)" }
            } else {
                return "unexpected file in out/: \(name)"
            }
        }
        return nil
    }

    @Test func killedAtRandomMomentsResumesToTheSameOutput() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        // The reference: one uninterrupted run.
        let reference = try JobCorpus.makeJob("crash-ref", files: Self.files, toml: JobCorpus.fastTOML)
        let started = Date()
        let r = try JobCorpus.precis(["run", reference.path, "--quiet"])
        let referenceSeconds = Date().timeIntervalSince(started)
        #expect(r.status == 0, "\(r.stderr)")
        let metrics = try JobCorpus.json(reference.appendingPathComponent("out/metrics.json")) as! [String: Any]
        let total = metrics["nodes_total"] as! Int
        #expect(total >= 5 && metrics["levels"].map { ($0 as! [Any]).count } ?? 0 >= 3, "a tree of three levels at least")
        #expect(metrics["nodes_computed"] as? Int == total)
        let expected = try Self.outputs(reference)

        // The same job, killed with SIGKILL at random moments, while a watcher checks out/ continuously.
        let job = try JobCorpus.makeJob("crash", files: Self.files, toml: JobCorpus.fastTOML)
        let watching = WatchFlag()
        let watcher = Thread {
            while watching.running {
                if let problem = Self.outProblem(job) { watching.record(problem) }
                usleep(5_000)
            }
        }
        watcher.start()
        defer { watching.stop() }
        var computedByRun: [Int: Int] = [:]
        var kills = 0
        // Fixed kill moments (a fraction of the reference run), so a failure can be rerun as it happened.
        var generator = SplitMix64(seed: 20261203)
        for _ in 0..<4 {
            let process = Process()
            process.executableURL = Fixtures.precisExecutable
            process.arguments = ["run", job.path, "--quiet"]
            process.environment = Fixtures.environment(["PRECIS_MODEL": Fixtures.modelPath])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let delay = Double.random(in: 0.3...max(0.6, referenceSeconds * 0.5), using: &generator)
            let deadline = Date().addingTimeInterval(delay)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            // A killed run's counts are in its progress.json (out/ is replaced only by a run that completes).
            if let m = try? JobCorpus.json(job.appendingPathComponent(".precis/progress.json")) as? [String: Any],
               let pid = m["pid"] as? Int, pid == Int(process.processIdentifier) {
                computedByRun[pid] = m["nodes_computed"] as? Int
            }
        }
        // The last run goes to the end.
        let last = try JobCorpus.precis(["run", job.path, "--quiet"])
        #expect(last.status == 0, "\(last.stderr)")
        watching.stop()
        let final = try JobCorpus.json(job.appendingPathComponent("out/metrics.json")) as! [String: Any]
        let finalComputed = final["nodes_computed"] as! Int
        let finalCached = final["nodes_from_cache"] as! Int
        #expect(finalComputed + finalCached == total)
        let computed = computedByRun.values.reduce(0, +) + finalComputed
        // No node computed twice. A kill that lands between a node's cache write and the progress write after it
        // leaves that node uncounted (at most one per kill); every other node is counted exactly once.
        #expect(computed <= total, "computed \(computed) model calls for \(total) nodes over \(kills) kills")
        #expect(computed >= total - kills, "computed \(computed) model calls for \(total) nodes over \(kills) kills")
        #expect(watching.problems.isEmpty, "\(watching.problems)")
        #expect(try Self.outputs(job) == expected)
        #expect(kills >= 1, "the runs finished before any kill")
        print("crash test: \(total) nodes, \(kills) kills, \(computed) model calls in all (by run: \(computedByRun.values.sorted()) + \(finalComputed) in the last), reference run \(String(format: "%.1f", referenceSeconds)) s")
        for dir in [reference, job] { try? FileManager.default.removeItem(at: dir) }
    }
}

/// The watcher's flag and findings.
final class WatchFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var _running = true
    private var _problems: [String] = []
    var running: Bool { lock.withLock { _running } }
    var problems: [String] { lock.withLock { _problems } }
    func stop() { lock.withLock { _running = false } }
    func record(_ problem: String) { lock.withLock { if _problems.count < 10 { _problems.append(problem) } } }
}
