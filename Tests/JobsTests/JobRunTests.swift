import Foundation
import Testing
import TestSupport

/// `precis run` on job directories through the real binary: outputs, bad input, configuration errors.
@Suite struct JobRunTests {
    @Test func damagedPDFAndMalformedXMLFailTheRestFinishes() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let job = try JobCorpus.makeJob("damaged", files: [
            "good.md": JobCorpus.markdown(0, paragraphs: 2),
            "also-good.md": JobCorpus.markdown(1, paragraphs: 2),
            "broken.pdf": "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pa",
            "bad.xml": "<?xml version=\"1.0\"?>\n<article><title>Minutes</title><p>The board met.</article>\n",
        ], toml: JobCorpus.fastTOML)
        defer { try? FileManager.default.removeItem(at: job) }
        let r = try JobCorpus.precis(["run", job.path])
        #expect(r.status == 3, "\(r.stderr)")
        let errors = try JobCorpus.json(job.appendingPathComponent("out/errors.json")) as! [[String: String]]
        #expect(errors.map { $0["path"]! }.sorted() == ["inputs/bad.xml", "inputs/broken.pdf"])
        for error in errors {
            let reason = error["reason"] ?? ""
            // The reason alone: errors.json gives the path in its own field.
            #expect(!reason.isEmpty && !reason.contains(error["path"] ?? "?") && !reason.contains(job.path), "\(error)")
        }
        #expect(r.stderr.contains("broken.pdf") && r.stderr.contains("bad.xml"))
        let summary = try String(contentsOf: job.appendingPathComponent("out/summary.md"), encoding: .utf8)
        #expect(summary.contains("Harbour renewal") && summary.contains("Library opening hours"))
        let pages = try FileManager.default.contentsOfDirectory(atPath: job.appendingPathComponent("out/documents").path)
        #expect(pages.sorted() == ["also-good.md", "good.md"])
        let good = try String(contentsOf: job.appendingPathComponent("out/documents/good.md"), encoding: .utf8)
        #expect(good.contains("## Outline") && good.contains("- Background") && good.contains("- Decisions"))
        let tree = try JobCorpus.json(job.appendingPathComponent("out/tree.json")) as! [String: Any]
        for case let node as [String: Any] in tree["nodes"] as! [Any] {
            #expect(node["status"] as? String == "computed")
            #expect(!(node["text"] as? String ?? "").isEmpty)
            #expect(node["kind"] != nil && node["level"] != nil && node["inputs"] != nil && node["seconds"] != nil)
        }
        let metrics = try JobCorpus.json(job.appendingPathComponent("out/metrics.json")) as! [String: Any]
        #expect(metrics["complete"] as? Bool == true)
        #expect((metrics["cpu_seconds"] as? Double ?? 0) > 0)
        #expect((metrics["levels"] as? [Any])?.isEmpty == false)

        // A rerun computes nothing; a changed summary budget recomputes.
        let again = try JobCorpus.precis(["run", job.path, "--quiet"])
        #expect(again.status == 3)
        let m2 = try JobCorpus.json(job.appendingPathComponent("out/metrics.json")) as! [String: Any]
        #expect(m2["nodes_computed"] as? Int == 0)
        #expect(m2["nodes_from_cache"] as? Int == m2["nodes_total"] as? Int)
        #expect(again.stdout.contains("summary: \(job.path)/out/summary.md"))
    }

    @Test func configurationErrorsExitTwoNamingKeyAndLine() throws {
        let job = try JobCorpus.makeJob("badconfig", files: ["a.md": JobCorpus.markdown(0)],
                                        toml: "title = \"x\"\nchunk_tokens = 256\nsumary_tokens = 40\n")
        defer { try? FileManager.default.removeItem(at: job) }
        let r = try JobCorpus.precis(["run", job.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("job.toml:3: unknown key 'sumary_tokens'"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: job.appendingPathComponent("out/summary.md").path))

        let empty = try JobCorpus.makeJob("noinputs", files: [:], toml: "")
        defer { try? FileManager.default.removeItem(at: empty) }
        let e = try JobCorpus.precis(["run", empty.path])
        #expect(e.status == 2)
        #expect(e.stderr.contains("no documents"), "\(e.stderr)")
    }

    @Test func aChangedDocumentRecomputesOnlyItsNodesAndTheCorpusRoot() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let job = try JobCorpus.makeJob("changed", files: [
            "a.md": JobCorpus.markdown(0, paragraphs: 2), "b.md": JobCorpus.markdown(2, paragraphs: 2),
        ], toml: JobCorpus.fastTOML)
        defer { try? FileManager.default.removeItem(at: job) }
        #expect(try JobCorpus.precis(["run", job.path, "--quiet"]).status == 0)
        let tree = try JobCorpus.json(job.appendingPathComponent("out/tree.json")) as! [String: Any]
        let nodes = tree["nodes"] as! [[String: Any]]
        let ofB = nodes.filter { $0["document"] as? String == "inputs/b.md" }.count
        try JobCorpus.markdown(3, paragraphs: 2).write(to: job.appendingPathComponent("inputs/b.md"), atomically: true, encoding: .utf8)
        let r = try JobCorpus.precis(["run", job.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let metrics = try JobCorpus.json(job.appendingPathComponent("out/metrics.json")) as! [String: Any]
        #expect(metrics["nodes_computed"] as? Int == ofB + 1, "b's nodes and the corpus root")
        #expect(metrics["nodes_from_cache"] as? Int == nodes.count - ofB - 1)
        let summary = try String(contentsOf: job.appendingPathComponent("out/summary.md"), encoding: .utf8)
        #expect(summary.contains("Water quality report") && !summary.contains("School bus routes"))
    }
}
