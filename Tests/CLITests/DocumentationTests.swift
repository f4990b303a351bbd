import Foundation
import Testing
import TestSupport

/// README.md and docs/ are what a user has: every relative link in them names a file of this repository.
@Suite struct DocumentationTests {
    static let pages: [String] = {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.packageRoot.appendingPathComponent("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }()

    @Test(arguments: pages)
    func relativeLinksStayInTheRepository(page: String) throws {
        let root = Fixtures.packageRoot.standardizedFileURL.path
        let url = Fixtures.packageRoot.appendingPathComponent(page)
        let text = try String(contentsOf: url, encoding: .utf8)
        for match in text.matches(of: /\]\(([^)\s]+)\)/) {
            let target = String(match.output.1)
            if target.hasPrefix("#") || target.contains("://") || target.hasPrefix("mailto:") { continue }
            let file = String(target.split(separator: "#", maxSplits: 1)[0])
            let resolved = url.deletingLastPathComponent().appendingPathComponent(file).standardizedFileURL.path
            #expect(resolved.hasPrefix(root + "/"), "\(page) links outside the repository: \(target)")
            #expect(FileManager.default.fileExists(atPath: resolved), "\(page) links to a missing file: \(target)")
        }
        // A path written as code that leaves the repository (as `../shared/DESIGN.md` once did).
        for match in text.matches(of: /`(\.\.\/[^`]*)`/) {
            let resolved = url.deletingLastPathComponent().appendingPathComponent(String(match.output.1)).standardizedFileURL.path
            #expect(resolved.hasPrefix(root + "/"), "\(page) names a path outside the repository: \(match.output.1)")
        }
    }
}
