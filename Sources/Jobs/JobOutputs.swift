import Execution
import Foundation
import Ingest
import Planning

/// The contents of `out/`: the summary, one page per document, and the tree of every node.
struct JobOutputs {
    let runner: JobRunner
    let plan: Plan
    let report: ExecutionReport
    let documents: [Document]

    /// `summary.md`: the job's title, the corpus summary, then each document's.
    func summary() -> String {
        let body = SummaryRendering.markdown(plan: plan, report: report)
        guard let title = runner.config.title, !title.isEmpty else { return body }
        // The job's title heads the page; the rendering's headings move one level down.
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("# ") || line.hasPrefix("## ") ? "#" + line : line
        }
        return "# \(title)\n\n" + lines.joined(separator: "\n")
    }

    /// A distinct file name per document: its file name with `.md` (a number added when two collide).
    func documentNames() -> [String] {
        var used = Set<String>()
        return plan.documents.map { doc in
            let base = ((doc.path as NSString).lastPathComponent as NSString).deletingPathExtension
            var name = base + ".md"
            var n = 2
            while !used.insert(name).inserted {
                name = "\(base)-\(n).md"
                n += 1
            }
            return name
        }
    }

    /// `documents/NAME.md`: the document's summary with its source and section outline.
    func documentPages() -> [(String, String)] {
        let byPath = Dictionary(documents.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        return zip(documentNames(), plan.documents).map { name, doc in
            let source = byPath[doc.path]
            var out = "# \(doc.title)\n\n"
            var facts = ["`\(runner.relative(doc.path))`"]
            if let format = source?.format { facts.append("\(format)") }
            if let pages = source?.pageCount { facts.append("\(pages) pages") }
            facts.append("\(doc.chunks.count) chunks")
            out += "Source: " + facts.joined(separator: ", ") + "\n\n"
            out += "## Summary\n\n"
            if let text = report.text(of: doc.root) {
                out += text + "\n"
            } else {
                out += "(not available: \(report.records[doc.root]?.error ?? "not finished"))\n"
            }
            if runner.config.output.outline, let outline = source?.outline, !outline.isEmpty {
                out += "\n## Outline\n\n"
                let top = outline.map(\.level).min() ?? 1
                for entry in outline {
                    out += String(repeating: "  ", count: max(0, entry.level - top)) + "- " + entry.heading + "\n"
                }
            }
            return (name, out)
        }
    }

    /// `tree.json`: every node's plan fields (`Plan.jsonFields`, as `precis plan --json`) with its run's: status,
    /// text, tokens and timing.
    func tree() -> Data {
        let nodes = plan.nodes.map { node -> [String: Any] in
            var n = plan.jsonFields(of: node, path: runner.relative)
            // tree.json's name for "children" before it shared plan --json's fields; kept for scripts.
            n["inputs"] = node.children
            if let record = report.records[node.id] {
                n["status"] = record.status.rawValue
                n["used_inputs"] = record.usedChildren
                if let error = record.error { n["error"] = error }
                if let o = record.output {
                    n["text"] = o.text
                    n["prompt_tokens"] = o.promptTokens
                    n["output_tokens"] = o.outputTokens
                    n["seconds"] = (o.seconds * 1000).rounded() / 1000
                    n["prompt_seconds"] = (o.promptSeconds * 1000).rounded() / 1000
                    n["stop_reason"] = o.stopReason
                }
            } else {
                n["status"] = "not_run"
            }
            return n
        }
        let object: [String: Any] = [
            "title": runner.config.title ?? "",
            "corpus_root": plan.corpusRoot.map { $0 as Any } ?? NSNull(),
            "documents": zip(documentNames(), plan.documents).map { name, doc -> [String: Any] in
                ["path": runner.relative(doc.path), "title": doc.title, "root": doc.root, "chunks": doc.chunks.count,
                 "page": "documents/" + name]
            },
            "nodes": nodes,
        ]
        return JobRunner.json(object)
    }
}
