import Foundation
import Testing
import TestSupport

/// Inputs stay inside the job directory unless job.toml allows otherwise; out/ and .precis/ are never inputs.
@Suite struct JobInputsTests {
    /// The documents `precis plan JOBDIR` would summarize, relative to the job, or the failed result.
    private func planned(_ job: URL) throws -> (documents: [String], result: CommandResult) {
        let r = try JobCorpus.precis(["plan", job.path, "--json"])
        guard r.status == 0 else { return ([], r) }
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let paths = (plan["documents"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        let root = job.resolvingSymlinksInPath().path
        return (paths.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path.replacingOccurrences(of: root + "/", with: "") }, r)
    }

    @Test func inputsOutsideTheJobAreRefusedUnlessAllowed() throws {
        let outside = try Fixtures.temporaryDirectory("outside").appendingPathComponent("secret.md")
        try JobCorpus.markdown(1, paragraphs: 1).write(to: outside, atomically: true, encoding: .utf8)
        let fast = "method = \"extractive\"\n"
        let cases: [(String, (URL) throws -> Void)] = [
            ("inputs = [\"\(outside.path)\"]\n", { _ in }),
            ("inputs = [\"inputs/\", \"../\(outside.deletingLastPathComponent().lastPathComponent)/secret.md\"]\n", { job in
                // The job's parent holds the other temporary directory only if both share one; link it in.
                let sibling = job.deletingLastPathComponent().appendingPathComponent(outside.deletingLastPathComponent().lastPathComponent)
                if !FileManager.default.fileExists(atPath: sibling.path) {
                    try FileManager.default.createSymbolicLink(at: sibling, withDestinationURL: outside.deletingLastPathComponent())
                }
            }),
            ("", { job in try FileManager.default.createSymbolicLink(at: job.appendingPathComponent("inputs/linked.md"),
                                                                     withDestinationURL: outside) }),
        ]
        for (n, (inputs, setUp)) in cases.enumerated() {
            let job = try JobCorpus.makeJob("outside-\(n)", files: ["doc.md": JobCorpus.markdown(0, paragraphs: 1)],
                                            toml: inputs + fast)
            try setUp(job)
            let refused = try planned(job)
            #expect(refused.result.status == 2, "case \(n): \(refused.result.stderr)")
            #expect(refused.result.stderr.contains("outside the job directory"), "case \(n): \(refused.result.stderr)")
            #expect(refused.result.stderr.split(separator: "\n").count == 1, "case \(n): \(refused.result.stderr)")
            let run = try JobCorpus.precis(["run", job.path, "--quiet"])
            #expect(run.status == 2, "case \(n): \(run.stderr)")

            try (inputs + fast + "allow_outside_inputs = true\n").write(to: job.appendingPathComponent("job.toml"),
                                                                        atomically: true, encoding: .utf8)
            let allowed = try planned(job)
            #expect(allowed.result.status == 0, "case \(n): \(allowed.result.stderr)")
            #expect(allowed.documents.contains { $0.hasSuffix("secret.md") || $0.hasSuffix("linked.md") }, "case \(n): \(allowed.documents)")
        }
    }

    @Test func outAndStateAreNeverInputs() throws {
        let job = try JobCorpus.makeJob("dot-inputs", files: ["doc.md": JobCorpus.markdown(0, paragraphs: 2)],
                                        toml: "inputs = [\".\"]\nmethod = \"extractive\"\n")
        let run = try JobCorpus.precis(["run", job.path, "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: job.appendingPathComponent("out/summary.md").path))
        // A second run sees the same one document, not the first run's Markdown outputs.
        let (documents, r) = try planned(job)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(documents == ["inputs/doc.md"])
        let explicit = try JobCorpus.makeJob("out-inputs", files: ["doc.md": JobCorpus.markdown(0, paragraphs: 2)],
                                             toml: "inputs = [\"inputs/\", \"out/\"]\nmethod = \"extractive\"\n")
        #expect(try JobCorpus.precis(["run", explicit.path, "--quiet"]).status == 0)
        #expect(try planned(explicit).documents == ["inputs/doc.md"])
    }
}
