import Engine
import Execution
import Foundation
import Ingest
import Planning
import Testing
import TestSupport

/// The whole pipeline with the real model on real documents: a 29-page PDF shipped by Debian's zlib1g-dev
/// ("A Painless Guide to CRC Error Detection Algorithms") and a Markdown note.
@Suite(.serialized) struct EndToEndTests {
    static let crcGuide = "/usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz"

    /// The guide, unpacked into a temporary directory, and a short Markdown document beside it.
    private func corpus() throws -> (pdf: String, markdown: String) {
        try #require(FileManager.default.fileExists(atPath: Self.crcGuide), "zlib1g-dev's CRC guide is missing (make test installs it)")
        let dir = try Fixtures.temporaryDirectory("e2e")
        let pdf = dir.appendingPathComponent("crc-guide.pdf").path
        let r = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc '\(Self.crcGuide)' > '\(pdf)'"])
        try #require(r.status == 0, "gunzip failed: \(r.stderr)")
        let markdown = dir.appendingPathComponent("notes.md").path
        try """
        # Field notes

        The survey team left Tromsø on 3 March 2021 with four sledges and returned on 19 March.

        ## Findings

        They counted 212 reindeer near the fjord, twice the number seen in 2019. The lead surveyor, Ingrid Olsen, \
        attributes the rise to a mild winter and fewer predators.
        """.write(toFile: markdown, atomically: true, encoding: .utf8)
        return (pdf, markdown)
    }

    @Test func summarizesARealCorpusAndResumesFromTheCache() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let (pdf, markdown) = try corpus()
        var options = SummaryOptions()
        options.method = .mapreduce  // the model's own merges; MethodTests cover extractive and grounded
        options.chunkTokens = 1536
        options.chunkOverlap = 32
        options.summaryTokens = 48
        options.fanIn = 6
        options.workers = 2
        options.threads = 1
        let session = try SummarySession(model: ModelLocator(flag: Fixtures.modelPath), options: options, speedsFile: Fixtures.speedsFile)
        let prepared = try session.prepare(paths: [pdf, markdown])
        #expect(prepared.failures.isEmpty)
        let plan = try #require(prepared.plan)

        // Structure: one root per document, one corpus root over both, pages right.
        #expect(plan.documents.count == 2)
        let root = try #require(plan.corpusRoot)
        #expect(plan.nodes[root].kind == .corpus)
        #expect(plan.documents.map { plan.nodes[$0.root].kind } == [.document, .document])
        let pdfDoc = plan.documents[0]
        #expect(pdfDoc.chunks.count >= 4)
        #expect(pdfDoc.chunks.first?.firstPage == 1)
        #expect(pdfDoc.chunks.last?.lastPage.map { $0 >= 25 && $0 <= 29 } == true)
        #expect(plan.nodes[pdfDoc.root].firstPage == 1)
        for node in plan.nodes where node.document == 0 && node.readsChunk {
            let chunk = pdfDoc.chunks[node.chunk!]
            #expect(node.firstPage == chunk.firstPage && node.lastPage == chunk.lastPage)
        }
        #expect(plan.nodes.filter { $0.document == 1 }.allSatisfy { $0.firstPage == nil })

        let cacheDir = try Fixtures.temporaryDirectory("e2e-cache")
        let cache = ResultCache(directory: cacheDir.path)
        let firstRun = session.run(prepared, cache: cache)
        #expect(firstRun.result == .complete && firstRun.failures.isEmpty)
        let first = try #require(firstRun.report)
        #expect(first.failedDocuments.isEmpty)
        #expect(first.computed == plan.nodes.count)
        for node in plan.nodes {
            let text = try #require(first.text(of: node.id), "node \(node.id) has no text")
            #expect(!text.isEmpty, "node \(node.id) is empty")
            #expect(first.records[node.id]!.output!.outputTokens <= node.maxOutputTokens)
        }
        let corpusText = try #require(first.text(of: root))
        #expect(SummaryText.endsSentence(corpusText))

        // A second run computes nothing and gives the same summaries.
        let second = try #require(session.run(prepared, cache: cache).report)
        #expect(second.computed == 0)
        #expect(second.fromCache == plan.nodes.count)
        #expect(plan.nodes.map { second.text(of: $0.id) } == plan.nodes.map { first.text(of: $0.id) })
    }
}
