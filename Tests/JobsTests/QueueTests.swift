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

        // Two workers at once on the same queue.
        nonisolated(unsafe) var results: [CommandResult?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            results[i] = try? JobCorpus.precis(["worker", "--queue", queue.path, "--once", "--threads", "1"])
        }
        for r in results { #expect(r?.status == 0, "\(r?.stderr ?? "did not run")") }
        for job in jobs {
            let history = try String(contentsOf: job.appendingPathComponent(".precis/history.jsonl"), encoding: .utf8)
            let starts = history.split(separator: "\n").filter { $0.contains("\"event\":\"start\"") }
            #expect(starts.count == 1, "\(job.lastPathComponent) ran \(starts.count) times")
            #expect(FileManager.default.fileExists(atPath: job.appendingPathComponent("out/summary.md").path))
        }
        let logs = results.compactMap { $0?.stderr }.joined()
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
