import Foundation
import TestSupport

/// Small real documents for job tests, and helpers to run `precis` on job directories.
enum JobCorpus {
    static let topics: [(title: String, sentences: [String])] = [
        ("Harbour renewal", [
            "The council approved a plan to rebuild the north harbour wall before the winter storms.",
            "Engineers found that the old wall had shifted by forty centimetres since the last survey.",
            "The work will cost 3.2 million euros, paid over three years from the port budget.",
            "Fishing boats will moor at the south quay while the wall is rebuilt.",
            "A public meeting on 14 March will present the timetable to residents.",
        ]),
        ("Library opening hours", [
            "The central library will open on Sundays from April, from ten until four.",
            "Visitor counts rose by a fifth last year, most of them students preparing exams.",
            "Two new staff members will be hired, and volunteers will run the reading clubs.",
            "The reading room on the second floor gets new lighting and forty more seats.",
            "The trial runs for six months, after which the board reviews the figures.",
        ]),
        ("School bus routes", [
            "Three school bus routes in the eastern villages will change in September.",
            "Parents asked for an earlier stop at the farm road, where there is no pavement.",
            "The transport office will add a second bus on the longest route in the morning.",
            "Drivers will receive training on the new electric buses during the summer.",
            "Tickets stay free for children under twelve, and the monthly pass price is frozen.",
        ]),
        ("Water quality report", [
            "The annual water report found all samples within the legal limits for nitrate.",
            "Lead pipes remain in about two hundred older houses near the market square.",
            "The utility will replace those pipes within two years at no cost to owners.",
            "Chlorine levels were lowered in May after complaints about the taste.",
            "Results for every district are published each quarter on the notice boards.",
        ]),
    ]

    /// A Markdown document about topic `n`: a title, two sections, a few paragraphs.
    static func markdown(_ n: Int, paragraphs: Int = 4) -> String {
        let topic = topics[n % topics.count]
        var out = "# \(topic.title)\n\n"
        for p in 0..<paragraphs {
            if p == 0 { out += "## Background\n\n" }
            if p == paragraphs / 2 { out += "## Decisions\n\n" }
            let s = topic.sentences
            out += (0..<4).map { s[(p + $0) % s.count] }.joined(separator: " ") + "\n\n"
        }
        return out
    }

    /// A job directory with `files` (name → contents) in inputs/ and `toml` as job.toml.
    static func makeJob(_ label: String, files: [String: String], toml: String = "") throws -> URL {
        let dir = try Fixtures.temporaryDirectory(label)
        let inputs = dir.appendingPathComponent("inputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: inputs.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        try toml.write(to: dir.appendingPathComponent("job.toml"), atomically: true, encoding: .utf8)
        return dir
    }

    /// Small settings so a job runs in seconds with the bundled model.
    static let fastTOML = """
    chunk_tokens = 160
    chunk_overlap = 16
    summary_tokens = 32
    threads = 2
    """

    static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    static func precis(_ arguments: [String], directory: URL? = nil) throws -> CommandResult {
        try runCommand(Fixtures.precisExecutable, arguments, directory: directory,
                       environment: ["PRECIS_MODEL": Fixtures.modelPath])
    }
}
