import Foundation
import Testing
import TestSupport

/// `precis generate` as a user runs it.
@Suite struct GenerateCLITests {
    /// A huge `--max-tokens` is a bound, not a size: under a 2 GB address-space limit (`ulimit -v`, set by the
    /// shell that then execs precis) a short greedy chat still exits 0 with its text. Before, 2 000 000 000 reserved
    /// 8 GB each for the tokens and the n-gram bans up front and the process died; Int.max overflowed the
    /// context size.
    @Test(arguments: ["2000000000", "\(Int.max)"])
    func aHugeMaxTokensDoesNotReserveMemory(maxTokens: String) throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let result = try runCommand(URL(fileURLWithPath: "/bin/sh"), [
            "-c", "ulimit -v 2000000 && exec \"$0\" \"$@\"", Fixtures.precisExecutable.path,
            "generate", "--model", Fixtures.modelPath, "--max-tokens", maxTokens, "--temperature", "0",
            "--threads", "2", "Say hello.",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }
}
