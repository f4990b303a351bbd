import Foundation
import Testing
import TestSupport

/// A queue entry that cannot start, or whose runs keep ending the worker, fails with its reason; the worker goes on.
@Suite struct QueueFailureTests {
    /// Jobs of one short Markdown document each, extractive (no model time: the queue is what is tested).
    private func jobs(_ count: Int, in queue: URL) throws -> [URL] {
        try (0..<count).map { n in
            let job = queue.appendingPathComponent("job\(n)")
            try FileManager.default.createDirectory(at: job.appendingPathComponent("inputs"), withIntermediateDirectories: true)
            try JobCorpus.markdown(n, paragraphs: 1).write(to: job.appendingPathComponent("inputs/doc.md"), atomically: true,
                                                           encoding: .utf8)
            try (JobCorpus.fastTOML + "\nmethod = \"extractive\"\n").write(to: job.appendingPathComponent("job.toml"),
                                                                          atomically: true, encoding: .utf8)
            return job
        }
    }

    private func statuses(_ queue: URL) throws -> [[String: Any]] {
        let r = try JobCorpus.precis(["status", "--queue", queue.path, "--json"])
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    }

    private func entries(_ queue: URL) throws -> [(url: URL, json: [String: Any])] {
        let dir = queue.appendingPathComponent(".queue")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted().map {
            let url = dir.appendingPathComponent($0)
            return (url, try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any])
        }
    }

    @Test func brokenEntriesFailWithTheirReasonAndTheOthersRun() throws {
        let queue = try Fixtures.temporaryDirectory("queue-broken")
        defer { try? FileManager.default.removeItem(at: queue) }
        let jobs = try jobs(5, in: queue)
        let submit = try JobCorpus.precis(["submit", "--queue", queue.path] + jobs.map(\.path))
        #expect(submit.status == 0, "\(submit.stderr)")
        // After submission: one job directory is gone, another's state directory cannot be made.
        try FileManager.default.removeItem(at: jobs[1])
        try "not a directory".write(to: jobs[3].appendingPathComponent(".precis"), atomically: true, encoding: .utf8)

        let worker = try JobCorpus.precis(["worker", "--queue", queue.path, "--once"])
        #expect(worker.status == 0, "\(worker.stderr)")
        let byJob = Dictionary(uniqueKeysWithValues: try statuses(queue).map { ($0["job"] as? String ?? "", $0) })
        for n in [0, 2, 4] {
            #expect(byJob[jobs[n].path]?["state"] as? String == "done", "job\(n): \(byJob[jobs[n].path] ?? [:])")
        }
        #expect(byJob[jobs[1].path]?["state"] as? String == "failed")
        #expect((byJob[jobs[1].path]?["message"] as? String)?.contains("no such directory") == true, "\(byJob[jobs[1].path] ?? [:])")
        #expect(byJob[jobs[3].path]?["state"] as? String == "failed")
        #expect((byJob[jobs[3].path]?["message"] as? String)?.contains(".precis") == true, "\(byJob[jobs[3].path] ?? [:])")
        // The broken job was not recreated, and the worker said why in one line each.
        #expect(!FileManager.default.fileExists(atPath: jobs[1].path))
        #expect(worker.stderr.contains("\(jobs[1].path): failed: "))
        // A second pass has nothing left to do.
        let again = try JobCorpus.precis(["worker", "--queue", queue.path, "--once"])
        #expect(again.status == 0)
        #expect(!again.stderr.contains("starting"))
    }

    @Test func aJobThatKeepsEndingTheWorkerIsTriedMaxAttemptsTimes() throws {
        let queue = try Fixtures.temporaryDirectory("queue-attempts")
        defer { try? FileManager.default.removeItem(at: queue) }
        let jobs = try jobs(2, in: queue)
        #expect(try JobCorpus.precis(["submit", "--queue", queue.path] + jobs.map(\.path)).status == 0)
        // As a worker killed mid-run leaves them: job0 after one such run, job1 after two.
        for (n, entry) in try entries(queue).enumerated() {
            var json = entry.json
            json["attempts"] = n + 1
            try JSONSerialization.data(withJSONObject: json).write(to: entry.url)
        }
        let worker = try JobCorpus.precis(["worker", "--queue", queue.path, "--once", "--max-attempts", "2"])
        #expect(worker.status == 0, "\(worker.stderr)")
        let states = try statuses(queue)
        #expect(states.map { $0["state"] as? String } == ["done", "failed"])
        #expect((states[1]["message"] as? String)?.contains("gave up after 2 attempts") == true, "\(states[1])")
        #expect(try entries(queue).map { $0.json["attempts"] as? Int } == [2, 2])
        #expect(!FileManager.default.fileExists(atPath: jobs[1].appendingPathComponent("out/summary.md").path))
    }
}
