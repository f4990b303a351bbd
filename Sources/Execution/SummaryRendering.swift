import Planning

/// The summaries of a run as Markdown: the corpus summary first (when there are several documents), then each
/// document's.
public enum SummaryRendering {
    public static func markdown(plan: Plan, report: ExecutionReport) -> String {
        var out = ""
        if let root = plan.corpusRoot {
            out += "# Summary of \(plan.documents.count) documents\n\n"
            out += (report.text(of: root) ?? "(not available: \(report.records[root]?.error ?? "not finished"))") + "\n\n"
        }
        for doc in plan.documents {
            out += plan.documents.count > 1 ? "## \(doc.title)\n\n" : "# \(doc.title)\n\n"
            out += (report.text(of: doc.root) ?? "(not available: \(report.records[doc.root]?.error ?? "not finished"))") + "\n\n"
        }
        return out
    }
}
