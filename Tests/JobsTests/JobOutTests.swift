import Foundation
import Testing
import TestSupport

/// out/ is checked before any model work, and what a killed run left half-written is cleared.
@Suite struct JobOutTests {
    @Test func anOutThatCannotBeWrittenFailsBeforeTheModelIsRead() throws {
        let job = try JobCorpus.makeJob("out-file", files: ["doc.md": JobCorpus.markdown(0, paragraphs: 1)],
                                        toml: "method = \"extractive\"\n")
        try "not a directory".write(to: job.appendingPathComponent("out"), atomically: true, encoding: .utf8)
        let broken = job.appendingPathComponent("broken.gguf")
        try "not a model".write(to: broken, atomically: true, encoding: .utf8)
        // The model is broken too: the error must be out/'s, found first.
        let r = try JobCorpus.precis(["run", job.path, "--quiet", "--model", broken.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(job.path)/out"), "\(r.stderr)")
        #expect(!r.stderr.contains("GGUF"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test func temporariesOfAKilledRunAreRemoved() throws {
        let job = try JobCorpus.makeJob("temporaries", files: ["doc.md": JobCorpus.markdown(0, paragraphs: 2)],
                                        toml: "method = \"extractive\"\n")
        let shard = job.appendingPathComponent(".precis/cache/ab")
        try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: job.appendingPathComponent("out/documents"), withIntermediateDirectories: true)
        let left = [shard.appendingPathComponent(".abcd.json.tmp-99999-1"), job.appendingPathComponent("out/.summary.md.tmp-99999-2"),
                    job.appendingPathComponent("out/documents/.doc.md.tmp-99999-3")]
        for file in left { try "half".write(to: file, atomically: false, encoding: .utf8) }
        let r = try JobCorpus.precis(["run", job.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        for file in left { #expect(!FileManager.default.fileExists(atPath: file.path), "\(file.lastPathComponent) is still there") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: job.appendingPathComponent("out").path).allSatisfy { !$0.hasPrefix(".") })
    }
}

/// A full disk (here a file-size limit, RLIMIT_FSIZE) stops a run with one line naming the file; the cache stays
/// consistent and a rerun with room finishes with the output an uninterrupted run gives.
@Suite(.serialized) struct DiskFullTests {
    private func limited(_ kib: Int, _ arguments: [String]) throws -> CommandResult {
        try runCommand(URL(fileURLWithPath: "/bin/bash"),
                       ["-c", "ulimit -f \(kib); exec \"$0\" \"$@\"", Fixtures.precisExecutable.path] + arguments,
                       environment: ["PRECIS_MODEL": Fixtures.modelPath])
    }

    private func cacheEntriesParse(_ directory: URL) throws -> Int {
        var count = 0
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let name = enumerator?.nextObject() as? String {
            let path = directory.appendingPathComponent(name)
            guard name.hasSuffix(".json") else { continue }
            #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: path))) != nil, "\(name) does not parse")
            #expect(!(name as NSString).lastPathComponent.hasPrefix("."), "temporary left: \(name)")
            count += 1
        }
        return count
    }

    @Test func aJobOverTheLimitStopsAndARerunFinishesTheSame() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let files = ["a.md": JobCorpus.markdown(0, paragraphs: 3), "b.md": JobCorpus.markdown(1, paragraphs: 3)]
        let toml = JobCorpus.fastTOML + "\nmethod = \"mapreduce\"\n"
        let reference = try JobCorpus.makeJob("disk-ref", files: files, toml: toml)
        #expect(try JobCorpus.precis(["run", reference.path, "--quiet"]).status == 0)

        let job = try JobCorpus.makeJob("disk-full", files: files, toml: toml)
        let full = try limited(1, ["run", job.path, "--quiet"])
        #expect(full.status == 1, "\(full.stderr)")
        let lines = full.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("\(job.path)/") && lines[0].contains("File too large"), "\(full.stderr)")
        _ = try cacheEntriesParse(job.appendingPathComponent(".precis/cache"))

        let rerun = try JobCorpus.precis(["run", job.path, "--quiet"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        for name in ["summary.md", "documents/a.md", "documents/b.md"] {
            let expected = try String(contentsOf: reference.appendingPathComponent("out/\(name)"), encoding: .utf8)
            let got = try String(contentsOf: job.appendingPathComponent("out/\(name)"), encoding: .utf8)
            #expect(got == expected.replacingOccurrences(of: reference.path, with: job.path), "\(name)")
        }
    }

    @Test func summarizeWithACacheOverTheLimitStopsOnTheCacheFile() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let dir = try Fixtures.temporaryDirectory("disk-summarize")
        let doc = dir.appendingPathComponent("a.md")
        try JobCorpus.markdown(2, paragraphs: 3).write(to: doc, atomically: true, encoding: .utf8)
        let cache = dir.appendingPathComponent("cache")
        let flags = ["--method", "mapreduce", "--chunk-tokens", "160", "--summary-tokens", "32", "--threads", "2", "--quiet"]
        // No byte may be written: summarize writes only the cache, so its first store fails.
        let full = try limited(0, ["summarize", doc.path, "--cache", cache.path] + flags)
        #expect(full.status == 1, "\(full.stderr)")
        #expect(full.stderr.split(separator: "\n").count == 1 && full.stderr.contains(cache.path), "\(full.stderr)")
        _ = try cacheEntriesParse(cache)
        let rerun = try JobCorpus.precis(["summarize", doc.path, "--cache", cache.path] + flags)
        let fresh = try JobCorpus.precis(["summarize", doc.path] + flags)
        #expect(rerun.status == 0 && fresh.status == 0)
        #expect(rerun.stdout == fresh.stdout)
    }
}

/// out/ is replaced as a whole by a run that completes; a run that stops part way leaves the previous one.
@Suite struct OutReplacementTests {
    @Test func aStoppedRunLeavesThePreviousOutAndAFinishedOneReplacesIt() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let job = try JobCorpus.makeJob("out-replace", files: ["a.md": JobCorpus.markdown(0, paragraphs: 2)],
                                        toml: JobCorpus.fastTOML + "\nmethod = \"extractive\"\n")
        #expect(try JobCorpus.precis(["run", job.path, "--quiet"]).status == 0)
        let out = job.appendingPathComponent("out")
        let first = try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8)
        // A file of the user's own in out/ goes with the next replacement: out/ is precis's.
        try "mine".write(to: out.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)

        // A second document, and a run stopped by a signal before it ends: out/ is the first run's, untouched.
        try JobCorpus.markdown(1, paragraphs: 40).write(to: job.appendingPathComponent("inputs/b.md"), atomically: true,
                                                        encoding: .utf8)
        try (JobCorpus.fastTOML + "\nmethod = \"mapreduce\"\n").write(to: job.appendingPathComponent("job.toml"),
                                                                    atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = Fixtures.precisExecutable
        process.arguments = ["run", job.path, "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging(["PRECIS_MODEL": Fixtures.modelPath]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let progress = job.appendingPathComponent(".precis/progress.json")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if let p = try? JobCorpus.json(progress) as? [String: Any], (p["nodes_done"] as? Int ?? 0) >= 1,
               p["state"] as? String == "running" { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "the run was to be stopped part way")
        #expect(try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8) == first)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("documents/b.md").path))

        // The run that completes replaces out/ as a whole.
        #expect(try JobCorpus.precis(["run", job.path, "--quiet"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("documents/b.md").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
        #expect(try String(contentsOf: out.appendingPathComponent("summary.md"), encoding: .utf8) != first)
        #expect(!FileManager.default.fileExists(atPath: job.appendingPathComponent(".precis/out.next").path))
    }
}
