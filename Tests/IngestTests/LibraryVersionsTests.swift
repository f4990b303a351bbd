import Ingest
import Testing

@Suite struct LibraryVersionsTests {
    @Test func versionsAreDotted() {
        #expect(LibraryVersions.libxml2.split(separator: ".").count == 3)
        #expect(LibraryVersions.libxml2.hasPrefix("2."))
        #expect(LibraryVersions.poppler.split(separator: ".").count >= 2)
    }
}
