import Foundation
import Planning

extension Plan {
    /// A node's plan fields as `JSONSerialization` values: the one serialization of a node that `precis plan
    /// --json` prints and out/tree.json starts from (it adds the run's fields). "id", "kind", "level",
    /// "children" (node ids, in order), "max_output_tokens", "section" (the heading path where the node's text
    /// starts), "document" (its path through `path`; null above the documents), "pages" ([first, last], for
    /// paginated documents), and for a node over a chunk "chunk" (its index) and "chunk_tokens".
    ///
    /// The prompt's tokens are not among them: plan --json gives the planned count ("prompt_tokens", an upper
    /// bound for merges), tree.json the count of the prompt that ran, under the same name.
    public func jsonFields(of node: PlanNode, path: (String) -> String = { $0 }) -> [String: Any] {
        var fields: [String: Any] = [
            "id": node.id, "kind": node.kind.rawValue, "level": node.level, "children": node.children,
            "max_output_tokens": node.maxOutputTokens, "section": node.headingPath,
            "document": node.document.map { path(documents[$0].path) as Any } ?? NSNull(),
        ]
        if let first = node.firstPage, let last = node.lastPage { fields["pages"] = [first, last] }
        if let d = node.document, let c = node.chunk {
            fields["chunk"] = c
            fields["chunk_tokens"] = documents[d].chunks[c].tokens
        }
        return fields
    }
}
