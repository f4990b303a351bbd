import Ingest
import Testing

@Suite struct DocumentTests {
    @Test func flattenedParagraphsCarryHeadingPaths() {
        let doc = Document(path: "x", format: .text, sections: [
            .init(heading: nil, level: 0, paragraphs: [.init(text: "Preamble.")]),
            .init(heading: "One", level: 1, paragraphs: [.init(text: "A.", page: 1)], subsections: [
                .init(heading: "One.Two", level: 2, paragraphs: [.init(text: "B.", page: 2)]),
            ]),
        ])
        let flat = doc.paragraphs
        #expect(flat.map(\.text) == ["Preamble.", "A.", "B."])
        #expect(flat.map(\.headingPath) == [[], ["One"], ["One", "One.Two"]])
        #expect(flat.map(\.page) == [nil, 1, 2])
        #expect(doc.outline.map(\.heading) == ["One", "One.Two"])
    }
}
