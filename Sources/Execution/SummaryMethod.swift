/// How a summary is made (`--method`, `method` in job.toml).
public enum SummaryMethod: String, Sendable, Codable, CaseIterable {
    /// The model summarizes every chunk, then merges the summaries level by level (the plan's tree of prompts).
    case mapreduce
    /// Graph-ranked source sentences (LexRank), no model calls: a baseline and a fast mode for huge corpora.
    case extractive
    /// The model works from the source: map and merge prompts carry the source's central sentences, and every
    /// output sentence is checked against the source.
    case grounded

    /// The allowed values, for error messages: "mapreduce, extractive, grounded".
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
