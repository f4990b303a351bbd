import Common
import Engine
import Foundation
import Ingest
import Jobs
import Testing
import TestSupport

/// job.toml: every key read, and every mistake reported with its key and line.
@Suite struct JobConfigTests {
    @Test func everyKey() throws {
        let text = """
        title = "Board packs"
        inputs = ["inputs/", "extra/*.pdf"]
        model = "../Models/m.gguf"
        instructions = "Name every decision."
        method = "extractive"
        chunk_tokens = 512
        chunk_overlap = 32
        fan_in = 4
        summary_tokens = 96
        context_tokens = 2048
        workers = 2
        threads = 1
        temperature = 0.5
        seed = 7
        kv_cache = "f16"
        max_pages = 300
        max_input_mb = 1024
        seconds_per_document = 30

        [output]
        documents = false
        outline = false
        tree = false
        """
        let c = try JobConfig.parse(text, path: "job.toml")
        #expect(c.title == "Board packs")
        #expect(c.inputs == ["inputs/", "extra/*.pdf"])
        #expect(c.model == "../Models/m.gguf")
        #expect(c.options.instructions == "Name every decision.")
        #expect(c.options.method == .extractive)
        #expect(c.options.chunkTokens == 512)
        #expect(c.options.chunkOverlap == 32)
        #expect(c.options.fanIn == 4)
        #expect(c.options.summaryTokens == 96)
        #expect(c.options.contextTokens == 2048)
        #expect(c.options.workers == 2)
        #expect(c.options.threads == 1)
        #expect(c.temperature == 0.5)
        #expect(c.seed == 7)
        #expect(c.kvCache == .f16)
        #expect(c.ingestLimits.maxPages == 300)
        #expect(c.ingestLimits.maxInputBytes == 1024 << 20)
        #expect(c.ingestLimits.maxTextBytes == 1024 << 20)
        #expect(c.ingestLimits.secondsPerDocument == 30)
        #expect(!c.output.documents && !c.output.outline && !c.output.tree)
    }

    @Test func defaults() throws {
        let c = try JobConfig.parse("", path: "job.toml")
        #expect(c.inputs == ["inputs/"])
        #expect(c.title == nil && c.model == nil && c.temperature == nil && c.kvCache == nil)
        #expect(c.output.documents && c.output.tree && c.output.outline)
        #expect(c.options.method == .grounded)
        #expect(c.ingestLimits == Ingest.Limits())
        #expect(c.ingestLimits.maxPages == 2000 && c.ingestLimits.maxInputBytes == 512 << 20
            && c.ingestLimits.secondsPerDocument == 120)
        // A lower input limit leaves the text limit where it was.
        #expect(try JobConfig.parse("max_input_mb = 8", path: "j").ingestLimits.maxTextBytes == 512 << 20)
        #expect(try JobConfig.parse("inputs = \"docs/*.xml\"", path: "j").inputs == ["docs/*.xml"])
    }

    @Test(arguments: [
        ("title = \"x\"\n\nchunk_tokns = 5\n", "job.toml:3: unknown key 'chunk_tokns'"),
        ("title = \"x\"\n[output]\ntree = true\nsummary = 1\n", "job.toml:4: unknown key 'output.summary'"),
        ("# tuning\nchunk_tokens = \"big\"\n", "job.toml:2: 'chunk_tokens' must be an integer, not a string"),
        ("workers = 0\n", "job.toml:1: 'workers' must be between 1 and 256, not 0"),
        ("\n\ntemperature = true\n", "job.toml:3: 'temperature' must be a number, not a bool"),
        ("inputs = [\"a\", 3]\n", "job.toml:1: 'inputs' must be a path, a glob or a list of them, not an integer"),
        ("[output]\ndocuments = \"yes\"\n", "job.toml:2: 'output.documents' must be true or false, not a string"),
        ("output = 3\n", "job.toml:1: 'output' must be a table, not an integer"),
        ("title = \"x\"\nmethod = \"abstractive\"\n",
         "job.toml:2: 'method' must be one of mapreduce, extractive, grounded, not \"abstractive\""),
        ("method = 3\n", "job.toml:1: 'method' must be a string, not an integer"),
        ("kv_cache = \"q4_0\"\n", "job.toml:1: 'kv_cache' must be one of f16, q8_0, not \"q4_0\""),
        ("title = \"x\"\nmax_pages = 0\n", "job.toml:2: 'max_pages' must be between 1 and 10000000, not 0"),
        ("max_input_mb = 2.5\n", "job.toml:1: 'max_input_mb' must be an integer, not a floating-point number"),
        ("\nseconds_per_document = \"long\"\n", "job.toml:2: 'seconds_per_document' must be an integer, not a string"),
    ])
    func mistakesNameKeyAndLine(text: String, message: String) {
        #expect(throws: JobError.self) { try JobConfig.parse(text, path: "job.toml") }
        do {
            _ = try JobConfig.parse(text, path: "job.toml")
        } catch {
            #expect(error.description == message)
            #expect(error.failureClass == .usage)
        }
    }

    @Test func syntaxErrorHasLineAndColumn() {
        do {
            _ = try JobConfig.parse("title = \"x\"\nchunk_tokens = = 3\n", path: "job.toml")
            Issue.record("parsed a broken file")
        } catch {
            guard case let .syntax(_, line, column, _) = error else { Issue.record("\(error)"); return }
            #expect(line == 2)
            #expect(column > 1)
            #expect(error.description.hasPrefix("job.toml:2:"))
        }
    }

    /// Examples/job.toml is the user's reference for job.toml: it parses, sets every key JobConfig knows (so a new
    /// key cannot be left out), explains each in a comment, and names only documentation files that exist.
    @Test func exampleShowsEveryKey() throws {
        let path = Fixtures.packageRoot.appendingPathComponent("Examples/job.toml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        _ = try JobConfig.parse(text, path: path)

        // Each `key = value` line with its table, and whether it is explained: a comment on the line, or a comment
        // (or an explained key of the same block) on the line above it.
        var shown: [String: Bool] = [:]
        var table = ""
        var previous: (isComment: Bool, explainedKey: Bool) = (false, false)
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                table = line.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                shown[table] = true  // a table is explained by its keys
                previous = (false, false)
            } else if line.hasPrefix("#") {
                previous = (true, false)
            } else if let equals = line.firstIndex(of: "=") {
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                let explained = line.contains("#") || previous.isComment || previous.explainedKey
                shown[table.isEmpty ? key : table + "." + key] = explained
                previous = (false, explained)
            } else {
                previous = (false, false)
            }
        }
        let known = JobConfig.keys.flatMap { table, keys in keys.map { table.isEmpty ? $0 : table + "." + $0 } }
        for key in known.sorted() {
            #expect(shown[key] != nil, "Examples/job.toml does not show '\(key)'")
            #expect(shown[key] != false, "Examples/job.toml shows '\(key)' without a comment")
        }

        // Every documentation file it names is in the repository.
        let named = text.matches(of: /[A-Za-z]+(?:\/[A-Za-z0-9_-]+)*\.md/).map { String($0.output) }
            .filter { $0.hasPrefix("docs/") || $0 == "README.md" }
        #expect(!named.isEmpty)
        for file in Set(named) {
            #expect(FileManager.default.fileExists(atPath: Fixtures.packageRoot.appendingPathComponent(file).path),
                    "Examples/job.toml names \(file), which does not exist")
        }
    }
}

@Suite struct JobConfigMessageTests {
    static let message: SettingsMessage =
        "\(Setting.chunkTokens) 4096 exceeds \(Setting.contextTokens) 2048 with \(Setting.summaryTokens) 160; lower \(Setting.chunkTokens)"

    @Test func settingsAreNamedAsTheUserSetThem() throws {
        var config = try JobConfig.parse("title = \"x\"\nchunk_tokens = 4096\ncontext_tokens = 2048\n", path: "job.toml")
        // Set in job.toml: the key, with its line the first time; left at its default: the key alone.
        #expect(config.describe(Self.message)
            == "chunk_tokens (job.toml:2) 4096 exceeds context_tokens (job.toml:3) 2048 with summary_tokens 160; lower chunk_tokens")
        // Overridden by a flag: the flag.
        config.settingsFromFlags = [.chunkTokens]
        #expect(config.describe(Self.message)
            == "--chunk-tokens 4096 exceeds context_tokens (job.toml:3) 2048 with summary_tokens 160; lower --chunk-tokens")
    }
}
