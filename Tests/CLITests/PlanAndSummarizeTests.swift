import Foundation
import Testing
import TestSupport

/// `precis plan` and `precis summarize` as a user runs them.
@Suite struct PlanAndSummarizeTests {
    private func crcGuide() throws -> String {
        let gz = "/usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz"
        try #require(FileManager.default.fileExists(atPath: gz), "zlib1g-dev's CRC guide is missing (make test installs it)")
        let dir = try Fixtures.temporaryDirectory("plan")
        let pdf = dir.appendingPathComponent("crc-guide.pdf").path
        let r = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc '\(gz)' > '\(pdf)'"])
        try #require(r.status == 0)
        return pdf
    }

    private func precis(_ arguments: [String]) throws -> CommandResult {
        try runCommand(Fixtures.precisExecutable, arguments, environment: ["PRECIS_MODEL": Fixtures.modelPath])
    }

    @Test func planJSONHasTheContractShape() throws {
        let pdf = try crcGuide()
        let r = try precis(["plan", pdf, "--json", "--chunk-tokens", "512", "--fan-in", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let context = try #require(json["context_tokens"] as? Int)
        let levels = try #require(json["levels"] as? [[String: Any]])
        let nodes = try #require(json["nodes"] as? [[String: Any]])
        #expect(json["estimated_seconds"] as? Double != nil)
        #expect(levels.first?["level"] as? Int == 0)
        #expect(levels.allSatisfy { $0["nodes"] is Int && $0["input_tokens"] is Int && $0["output_tokens"] is Int })
        // Levels shrink; every node fits the context; maps carry pages.
        let counts = levels.compactMap { $0["nodes"] as? Int }
        #expect(counts == counts.sorted(by: >))
        for node in nodes {
            let prompt = try #require(node["prompt_tokens"] as? Int)
            let output = try #require(node["max_output_tokens"] as? Int)
            #expect(prompt + output <= context)
            #expect(["map", "reduce", "document", "corpus"].contains(node["kind"] as? String ?? ""))
            #expect(node["children"] is [Int] && node["id"] is Int && node["level"] is Int)
            #expect(node["document"] as? String == pdf)
            let pages = try #require(node["pages"] as? [Int])
            #expect(pages.count == 2 && pages[0] >= 1 && pages[0] <= pages[1] && pages[1] <= 29)
        }
        #expect(nodes.filter { $0["kind"] as? String == "map" }.count >= 10)
        #expect(nodes.filter { $0["kind"] as? String == "document" }.count == 1)
    }

    @Test func impossibleSettingsAreRejectedBeforeAnyModelCall() throws {
        let pdf = try crcGuide()
        let r = try precis(["plan", pdf, "--chunk-tokens", "4096", "--context-tokens", "2048"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--chunk-tokens 4096"))
        #expect(r.stderr.split(separator: "\n").count == 1)
        let s = try precis(["summarize", pdf, "--summary-tokens", "900", "--context-tokens", "2048", "--chunk-tokens", "256"])
        #expect(s.status == 2)
        #expect(s.stderr.contains("--summary-tokens 900"))
        #expect(s.stdout.isEmpty)
    }

    @Test func anExtractivePlanPromisesNoModelTime() throws {
        let pdf = try crcGuide()
        let model = try precis(["plan", pdf, "--json"])
        let extractive = try precis(["plan", pdf, "--json", "--method", "extractive"])
        #expect(model.status == 0 && extractive.status == 0, "\(model.stderr) \(extractive.stderr)")
        let m = try #require(try JSONSerialization.jsonObject(with: Data(model.stdout.utf8)) as? [String: Any])
        let e = try #require(try JSONSerialization.jsonObject(with: Data(extractive.stdout.utf8)) as? [String: Any])
        #expect((m["estimated_seconds"] as? Double ?? 0) > 1)
        #expect(e["estimated_seconds"] as? Double == 0)
        let text = try precis(["plan", pdf, "--method", "extractive"])
        #expect(text.stdout.contains("no model calls") && !text.stdout.contains("tokens/s"), "\(text.stdout)")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let r = try precis(["summarize", "/nonexistent/file.pdf"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/nonexistent/file.pdf"))
        let w = try precis(["plan", "--workers", "0", "/etc/hostname"])
        #expect(w.status == 2)
        let m = try precis(["summarize", "--method", "abstractive", "/etc/hostname"])
        #expect(m.status == 2)
        #expect(m.stderr.contains("abstractive") && m.stderr.contains("extractive"), "\(m.stderr)")
    }
}
