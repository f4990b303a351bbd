import Evaluation
import Foundation
import Ingest
import Testing
import TestSupport

/// References: a file beside the document, or the document's own abstract, withheld from what is summarized.
@Suite struct EvalCaseTests {
    /// A short JATS article about oak seedlings, abstract and body by the test's author.
    static let article = """
        <?xml version="1.0" encoding="UTF-8"?>
        <article article-type="research-article"><front><article-meta>
        <title-group><article-title>Soil moisture and oak seedling survival on a dry slope</article-title></title-group>
        <abstract><p>We followed 400 oak seedlings on a south-facing slope for two summers and measured soil moisture \
        every week. Seedlings survived twice as often where moisture stayed above 12 percent, and shading by grass \
        did not change survival once moisture was accounted for. Watering in the first July alone raised survival \
        from 31 to 62 percent.</p></abstract>
        </article-meta></front><body>
        <sec><title>Introduction</title>
        <p>Oak forests on dry slopes regenerate poorly. Foresters plant seedlings, but many die in their first summer, \
        and it is not known whether drought, competition from grass, or browsing by deer kills most of them.</p>
        <p>We followed 400 oak seedlings on a south-facing slope for two summers and measured soil moisture \
        every week. Seedlings survived twice as often where moisture stayed above 12 percent.</p>
        </sec>
        <sec><title>Methods</title>
        <p>The site lies at 400 metres on a south-facing slope with shallow sandy soil. We planted 400 one-year-old \
        seedlings in 20 plots of 20 and fenced every plot against deer. Half of the plots were mown to remove the \
        grass around the seedlings. Soil moisture was measured every week at a depth of 10 centimetres.</p>
        <p>In the first July, 10 plots were watered twice a week with 5 litres per seedling. Survival was counted in \
        September of both years.</p>
        </sec>
        <sec><title>Results</title>
        <p>Of the seedlings in unwatered plots, 31 percent survived the first summer; of those in watered plots, 62 \
        percent. Where soil moisture stayed above 12 percent, survival was twice as high as where it fell below. \
        Mowing the grass did not change survival once soil moisture was taken into account.</p>
        <p>In the second summer, almost all seedlings that had survived the first one survived again.</p>
        </sec>
        <sec><title>Discussion</title>
        <p>Drought in the first summer is the main cause of death of planted oak seedlings on dry slopes. A little \
        water in the first July is enough to double their survival, which is far cheaper than replanting.</p>
        </sec></body></article>
        """

    static func write(_ dir: URL, _ name: String, _ text: String) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func abstractIsTheReferenceAndIsWithheld() throws {
        let dir = try Fixtures.temporaryDirectory("eval-case")
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try Ingest.read(path: try Self.write(dir, "oak.xml", Self.article))
        #expect(document.abstract?.hasPrefix("We followed 400 oak seedlings") == true)
        let evalCase = try #require(try EvalCase.make(document))
        #expect(evalCase.referenceSource == .abstract)
        #expect(evalCase.reference == document.abstract)
        #expect(evalCase.document.abstract == nil)
        // The introduction's second paragraph repeats the abstract: withheld too; the rest stays.
        #expect(evalCase.withheldParagraphs == 1)
        #expect(evalCase.document.paragraphs.count == document.paragraphs.count - 1)
        #expect(!evalCase.sourceText.contains("measured soil moisture every week"))
        #expect(evalCase.sourceText.contains("Soil moisture was measured every week"))
    }

    @Test func referenceFileWins() throws {
        let dir = try Fixtures.temporaryDirectory("eval-case")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.write(dir, "oak.xml", Self.article)
        _ = try Self.write(dir, "oak.ref.txt", "Watering oak seedlings in their first July doubles their survival.\n")
        let evalCase = try #require(try EvalCase.make(try Ingest.read(path: path)))
        #expect(evalCase.referenceSource == .file)
        #expect(evalCase.reference == "Watering oak seedlings in their first July doubles their survival.")
        #expect(EvalCase.isReferenceFile(dir.appendingPathComponent("oak.ref.txt").path))
        #expect(!EvalCase.isReferenceFile(path))
    }

    @Test func noReferenceNoCase() throws {
        let dir = try Fixtures.temporaryDirectory("eval-case")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.write(dir, "notes.txt", "Some notes about oak seedlings, with no abstract at all.\n")
        #expect(try EvalCase.make(try Ingest.read(path: path)) == nil)
    }
}
