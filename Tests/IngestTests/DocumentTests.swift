import Foundation
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

    /// What `json()` writes, `init(json:)` reads back: equal documents, and the same bytes written again (so
    /// text keeps its exact scalars: `==` on String alone would accept a different normalization).
    @Test func jsonRoundTrip() throws {
        let awkward = "quote \" backslash \\ tab \t nul \u{0} bell \u{7} e\u{301} é 🐑 \u{2028} <|im_end|>"
        let full = Document(path: "dir/ä b.pdf", format: .pdf, dialect: "jats", title: awkward, abstract: "An abstract.",
                            metadata: .init(author: "Ines Brandt", date: "2023-04-05T06:07:08Z"), pageCount: 12,
                            sections: [
                                .init(heading: nil, level: 0, paragraphs: [.init(text: "Preamble.", page: 1)]),
                                .init(heading: "One", level: 1, paragraphs: [.init(text: awkward, page: 2)], subsections: [
                                    .init(heading: "One.Two", level: 2, paragraphs: [.init(text: "B.")], subsections: [
                                        .init(heading: "Empty", level: 3),
                                    ]),
                                ]),
                            ],
                            warnings: ["pages 3, 7: scanned? no text layer", awkward])
        let bare = Document(path: "x.txt", format: .text)
        for doc in [full, bare] {
            for pretty in [false, true] {
                let back = try Document(json: Data(doc.json(pretty: pretty).utf8))
                #expect(back == doc)
                #expect(back.json(pretty: pretty) == doc.json(pretty: pretty))
            }
        }
        #expect(throws: (any Error).self) { try Document(json: Data(#"{"path": "x", "format": "doc", "warnings": [], "sections": []}"#.utf8)) }
        #expect(throws: (any Error).self) { try Document(json: Data("{\"path\": ".utf8)) }
    }
}
