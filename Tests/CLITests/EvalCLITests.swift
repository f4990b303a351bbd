import Foundation
import Testing
import TestSupport

/// `precis eval` as a user runs it on a folder of documents with reference files.
@Suite struct EvalCLITests {
    @Test func scoresAFolderAndReportsJSON() throws {
        let dir = try Fixtures.temporaryDirectory("eval-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ text: String) throws {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try write("harbour.md", """
            # The harbour survey

            The harbour authority counted 212 boats in the inner basin in May, twice as many as in 2019. Most of the \
            new boats are small sailing dinghies kept by a rowing and sailing club that opened in 2021.

            ## Moorings

            The inner basin has 180 moorings, so 32 boats now lie at anchor outside them. The authority plans 40 new \
            moorings on the east quay, to be finished before the summer season.
            """)
        try write("harbour.ref.txt", "Boats in the inner basin doubled since 2019 to 212; 40 new moorings are planned.")
        try write("stray.txt", "A note with no reference summary beside it, so it cannot be scored.")
        let r = try runCommand(Fixtures.precisExecutable,
                               ["eval", dir.path, "--json", "--chunk-tokens", "256", "--summary-tokens", "48", "--quiet",
                                "--lock", dir.appendingPathComponent("cpu.lock").path],
                               environment: ["PRECIS_MODEL": Fixtures.modelPath])
        // The stray note has no reference: named on standard error, the rest is scored, exit status 3.
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("stray.txt: no reference"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["method"] as? String == "grounded")  // the default method
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(results.first?["reference_source"] as? String == "file")
        #expect((results.first?["summary"] as? String)?.isEmpty == false)
        let metrics = try #require(results.first?["metrics"] as? [String: Any])
        #expect(metrics["rouge"] as? [String: Double] != nil)
        #expect(metrics["target_tokens"] as? Int == 48)
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["documents"] as? Int == 1)
        #expect((total["rouge1"] as? Double).map { $0 > 0 } == true)
    }
}
