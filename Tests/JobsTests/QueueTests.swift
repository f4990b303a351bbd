#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// `precis submit`, `worker` and `status` through the real binary.
@Suite struct QueueTests {
    @Test func twoWorkersRunEachJobExactlyOnce() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let queue = try Fixtures.temporaryDirectory("queue")
        defer { try? FileManager.default.removeItem(at: queue) }
        var jobs: [URL] = []
        for n in 0..<4 {
            let job = queue.appendingPathComponent("job\(n)")
            try FileManager.default.createDirectory(at: job.appendingPathComponent("inputs"), withIntermediateDirectories: true)
            try JobCorpus.markdown(n, paragraphs: 1).write(to: job.appendingPathComponent("inputs/doc.md"), atomically: true, encoding: .utf8)
            try JobCorpus.fastTOML.write(to: job.appendingPathComponent("job.toml"), atomically: true, encoding: .utf8)
            jobs.append(job)
        }
        let submit = try JobCorpus.precis(["submit", "--queue", queue.path] + jobs.map(\.path))
        #expect(submit.status == 0, "\(submit.stderr)")
        #expect(submit.stdout.split(separator: "\n").count == 4)
        let again = try JobCorpus.precis(["submit", "--queue", queue.path, jobs[0].path])
        #expect(again.stdout.hasPrefix("already queued"))

        let before = try JobCorpus.precis(["status", "--queue", queue.path, "--json"])
        let queued = try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as! [[String: Any]]
        #expect(queued.map { $0["state"] as? String } == Array(repeating: "queued", count: 4))

        // Two workers at once on the same queue, started from this thread (writing one array from two threads, as
        // this test once did, could lose a result), their standard error in files.
        var workers: [(process: Process, log: URL)] = []
        for i in 0..<2 {
            let process = Process()
            process.executableURL = Fixtures.precisExecutable
            process.arguments = ["worker", "--queue", queue.path, "--once", "--threads", "1"]
            process.environment = Fixtures.environment(["PRECIS_MODEL": Fixtures.modelPath])
            let log = queue.appendingPathComponent("worker\(i).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            workers.append((process, log))
        }
        var results: [(status: Int32, stderr: String)] = []
        for (process, log) in workers {
            process.waitUntilExit()
            results.append((process.terminationStatus, try String(contentsOf: log, encoding: .utf8)))
        }
        for r in results { #expect(r.status == 0, "\(r.stderr)") }
        for job in jobs {
            let history = try String(contentsOf: job.appendingPathComponent(".precis/history.jsonl"), encoding: .utf8)
            let starts = history.split(separator: "\n").filter { $0.contains("\"event\":\"start\"") }
            #expect(starts.count == 1, "\(job.lastPathComponent) ran \(starts.count) times")
            #expect(FileManager.default.fileExists(atPath: job.appendingPathComponent("out/summary.md").path))
        }
        let logs = results.map(\.stderr).joined()
        for job in jobs {
            #expect(logs.components(separatedBy: "\(job.path): starting").count - 1 == 1)
        }

        let after = try JobCorpus.precis(["status", "--queue", queue.path, "--json"])
        let done = try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as! [[String: Any]]
        #expect(done.count == 4)
        for s in done {
            #expect(s["state"] as? String == "done", "\(s)")
            #expect((s["nodes_total"] as? Int ?? 0) > 0 && s["nodes_done"] as? Int == s["nodes_total"] as? Int)
        }
        let one = try JobCorpus.precis(["status", jobs[2].path, "--queue", queue.path, "--json"])
        let single = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as! [[String: Any]]
        #expect(single.first?["job"] as? String == jobs[2].path)
        #expect(single.first?["state"] as? String == "done")
    }

    @Test func submitRejectsABrokenJob() throws {
        let queue = try Fixtures.temporaryDirectory("queue-bad")
        defer { try? FileManager.default.removeItem(at: queue) }
        let job = queue.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: job, withIntermediateDirectories: true)
        try "fan_in = \"many\"\n".write(to: job.appendingPathComponent("job.toml"), atomically: true, encoding: .utf8)
        let r = try JobCorpus.precis(["submit", "--queue", queue.path, job.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("job.toml:1: 'fan_in' must be an integer, not a string"), "\(r.stderr)")
        let bad = try JobCorpus.precis(["worker", "--queue", queue.path, "--until", "25:00", "--once"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--until '25:00'"))
    }
}

/// A worker told to stop (SIGTERM) finishes the node in hand, leaves the job queued, and the next pass resumes it.
@Suite struct WorkerStopTests {
    @Test func sigtermStopsAfterTheCurrentNodeAndTheJobResumes() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let queue = try Fixtures.temporaryDirectory("queue-stop")
        defer { try? FileManager.default.removeItem(at: queue) }
        let job = queue.appendingPathComponent("long")
        try FileManager.default.createDirectory(at: job.appendingPathComponent("inputs"), withIntermediateDirectories: true)
        for n in 0..<2 {
            try JobCorpus.markdown(n, paragraphs: 3).write(to: job.appendingPathComponent("inputs/doc\(n).md"), atomically: true, encoding: .utf8)
        }
        try JobCorpus.fastTOML.write(to: job.appendingPathComponent("job.toml"), atomically: true, encoding: .utf8)
        #expect(try JobCorpus.precis(["submit", "--queue", queue.path, job.path]).status == 0)

        let process = Process()
        process.executableURL = Fixtures.precisExecutable
        process.arguments = ["worker", "--queue", queue.path, "--quiet"]
        process.environment = Fixtures.environment(["PRECIS_MODEL": Fixtures.modelPath])
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the first finished node, then ask the worker to stop.
        let progressPath = job.appendingPathComponent(".precis/progress.json")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if let p = try? JobCorpus.json(progressPath) as? [String: Any], (p["nodes_done"] as? Int ?? 0) >= 1 { break }
            usleep(50_000)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let progress = try JobCorpus.json(progressPath) as! [String: Any]
        let done = progress["nodes_done"] as! Int
        let total = progress["nodes_total"] as! Int
        #expect(done >= 1 && done < total, "stopped after \(done) of \(total) nodes")
        let status = try JobCorpus.precis(["status", "--queue", queue.path, "--json"])
        let states = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [[String: Any]]
        #expect(states.first?["state"] as? String == "queued")
        #expect(!FileManager.default.fileExists(atPath: job.appendingPathComponent("out/summary.md").path))

        let resumed = try JobCorpus.precis(["worker", "--queue", queue.path, "--once"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let metrics = try JobCorpus.json(job.appendingPathComponent("out/metrics.json")) as! [String: Any]
        #expect(metrics["nodes_from_cache"] as? Int == done)
        #expect(metrics["nodes_computed"] as? Int == total - done)
    }
}
