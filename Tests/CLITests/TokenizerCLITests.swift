import Foundation
import Testing
import TestSupport

/// `precis tokenize` as a user runs it.
@Suite struct TokenizerCLITests {
    private func tokenize(_ args: [String]) throws -> CommandResult {
        try runCommand(Fixtures.precisExecutable, ["tokenize", "--model", Fixtures.modelPath] + args)
    }

    @Test func jsonCountAndPieces() throws {
        let json = try tokenize(["--json", "<|im_start|>user\nHello world"])
        #expect(json.status == 0, "\(json.stderr)")
        let ids = try JSONDecoder().decode([Int].self, from: Data(json.stdout.utf8))
        #expect(ids == [1, 4093, 198, 19556, 905])  // llama.cpp's ids for this text (tests/fixtures: smollm2.json)
        let count = try tokenize(["--count", "<|im_start|>user\nHello world"])
        #expect(count.stdout == "5\n")
        let pieces = try tokenize(["Hello 東"])
        #expect(pieces.status == 0)
        #expect(pieces.stdout.contains("19556  'Hello'"))
        #expect(pieces.stdout.contains("\\x"), "a CJK character split over byte tokens shows its bytes")
    }

    @Test func errors() throws {
        let missing = try runCommand(Fixtures.precisExecutable, ["tokenize", "--model", "/nonexistent.gguf", "x"])
        #expect(missing.status == 2)  // a model file that cannot be read is configuration, as for every command
        #expect(missing.stderr == "precis: /nonexistent.gguf: cannot open model file: No such file or directory\n")
        let both = try tokenize(["--json", "--count", "x"])
        #expect(both.status == 2, "\(both.stderr)")
    }
}
