import Foundation
import Testing
import TestSupport

/// One path for every summarizing command: the same model errors and exit statuses, the same documents found in
/// a directory, `plan JOBDIR` planning what `run` runs, and settings named as the user set them.
@Suite struct SessionCLITests {
    private func precis(_ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
        try runCommand(Fixtures.precisExecutable, arguments, directory: directory,
                       environment: ["PRECIS_MODEL": Fixtures.modelPath])
    }

    /// A job directory with a text document and `toml` as its job.toml.
    private func job(_ label: String, toml: String) throws -> URL {
        let dir = try Fixtures.temporaryDirectory(label)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("inputs"), withIntermediateDirectories: true)
        try toml.write(to: dir.appendingPathComponent("job.toml"), atomically: true, encoding: .utf8)
        let text = (1...40).map { "Sentence \($0) says that the river floods in spring and the farmers plant after it." }
            .joined(separator: " ")
        try text.write(to: dir.appendingPathComponent("inputs/river.txt"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test(arguments: [
        ["tokenize", "hello"], ["generate", "hello"], ["bench"], ["summarize", "DOC"], ["plan", "DOC"], ["eval", "DOC"],
        ["run", "JOB"],
    ])
    func anUnreadableModelIsAConfigurationErrorEverywhere(command: [String]) throws {
        let dir = try job("bad-model", toml: "title = \"x\"\n")
        let model = dir.appendingPathComponent("broken.gguf").path
        try "not a model".write(toFile: model, atomically: true, encoding: .utf8)
        let arguments = command.map {
            $0 == "DOC" ? dir.appendingPathComponent("inputs/river.txt").path : $0 == "JOB" ? dir.path : $0
        }
        let r = try precis(arguments + ["--model", model])
        #expect(r.status == 2, "\(command[0]): \(r.stderr)")
        #expect(r.stderr == "precis: \(model): not a GGUF file (bad magic)\n", "\(command[0])")
    }

    @Test func aDirectoryGivesEveryFormatIngestReadsAndNoHiddenFile() throws {
        let dir = try Fixtures.temporaryDirectory("formats")
        let docs = dir.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: docs.appendingPathComponent(".hidden"), withIntermediateDirectories: true)
        let sentence = "The committee approved the budget for the new library after a long debate about costs."
        let files = [
            "a.mkd": "# Notes\n\n\(sentence)\n",
            "b.xht": "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>Notes</h1><p>\(sentence)</p></body></html>",
            "c.docbook": "<article><title>Notes</title><para>\(sentence)</para></article>",
            "d.txt": sentence,
            ".hidden/e.txt": sentence,
            "f.png.txt.bak": sentence,
        ]
        for (name, text) in files {
            try text.write(to: docs.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let expected = ["a.mkd", "b.xht", "c.docbook", "d.txt"].map { docs.appendingPathComponent($0).path }

        let r = try precis(["plan", docs.path, "--json", "--method", "extractive"])
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let listed = (plan["documents"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(listed == expected)

        // A job whose inputs name the same directory reads the same documents.
        try "inputs = [\"docs/\"]\nmethod = \"extractive\"\n".write(to: dir.appendingPathComponent("job.toml"), atomically: true,
                                                                     encoding: .utf8)
        let j = try precis(["plan", dir.path, "--json"])
        #expect(j.status == 0, "\(j.stderr)")
        let jobPlan = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        let jobListed = (jobPlan["documents"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        #expect(jobListed == expected)
    }

    @Test func planJobDirPlansTheJobWithItsSettingsAndTheFlagsOverThem() throws {
        let dir = try job("plan-job", toml: "chunk_tokens = 256\nsummary_tokens = 64\nmethod = \"extractive\"\n")
        let r = try precis(["plan", dir.path, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(plan["chunk_tokens"] as? Int == 256)
        #expect(plan["summary_tokens"] as? Int == 64)
        let flagged = try precis(["plan", dir.path, "--json", "--summary-tokens", "48"])
        let overridden = try #require(try JSONSerialization.jsonObject(with: Data(flagged.stdout.utf8)) as? [String: Any])
        #expect(overridden["summary_tokens"] as? Int == 48)
        #expect(overridden["chunk_tokens"] as? Int == 256)
    }

    @Test func impossibleJobSettingsNameTheKeyAndLineOrTheFlag() throws {
        let dir = try job("bad-settings", toml: "title = \"x\"\nchunk_tokens = 4096\ncontext_tokens = 2048\n")
        for command in [["plan", dir.path], ["run", dir.path, "--quiet"]] {
            let r = try precis(command)
            #expect(r.status == 2, "\(command[0]): \(r.stderr)")
            #expect(r.stderr.contains("chunk_tokens (job.toml:2) 4096"), "\(command[0]): \(r.stderr)")
            #expect(!r.stderr.contains("--chunk-tokens"), "\(command[0]): \(r.stderr)")
        }
        let flagged = try precis(["plan", dir.path, "--chunk-tokens", "3000"])
        #expect(flagged.status == 2)
        #expect(flagged.stderr.contains("--chunk-tokens 3000"), "\(flagged.stderr)")
    }
}
