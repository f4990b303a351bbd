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
