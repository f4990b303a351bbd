import Foundation
import Testing
import TestSupport

/// `precis bench` as a user runs it: the contract's JSON keys, plus memory figures.
@Suite struct BenchCLITests {
    @Test func jsonHasTheContractShapeAndMemory() throws {
        let r = try runCommand(Fixtures.precisExecutable, ["bench", "--model", Fixtures.modelPath, "--prompt-tokens", "32",
                                                           "--gen-tokens", "8", "--threads", "1", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["prefill_tokens_per_s"] as? Double ?? 0) > 0 && (json["decode_tokens_per_s"] as? Double ?? 0) > 0)
        #expect(json["prompt_tokens"] as? Int == 32 && json["gen_tokens"] as? Int == 8 && json["threads"] as? Int == 1)
        #expect(["avx512", "avx2", "neon", "scalar"].contains(json["isa"] as? String ?? ""), "\(json)")
        let file = try #require(json["model_file_kib"] as? Int)
        // The file's own size: Models/ may hold a symbolic link to it (attributesOfItem does not follow one).
        let model = URL(fileURLWithPath: Fixtures.modelPath).resolvingSymlinksInPath().path
        let size = try FileManager.default.attributesOfItem(atPath: model)[.size] as? Int ?? 0
        #expect(file == size / 1024)
        #expect(json["kv_cache_kib"] as? Int == 2 * 30 * 40 * 192 * 2 / 1024)
        #expect(json["kv_cache_type"] as? String == "f16")
        // Decoding reads every weight, so the whole model is resident at the peak.
        #expect((json["peak_rss_kib"] as? Int ?? 0) > file * 9 / 10, "\(json)")
    }

    /// q8_0: 34 bytes per 32 values of keys and values.
    @Test func q8CacheIsReportedWithItsSize() throws {
        let r = try runCommand(Fixtures.precisExecutable, ["bench", "--model", Fixtures.modelPath, "--prompt-tokens", "32",
                                                           "--gen-tokens", "8", "--threads", "1", "--kv-cache", "q8_0",
                                                           "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["kv_cache_type"] as? String == "q8_0")
        #expect(json["kv_cache_kib"] as? Int == 2 * 30 * 40 * (192 / 32 * 34) / 1024)
        #expect((json["decode_tokens_per_s"] as? Double ?? 0) > 0)
        let bad = try runCommand(Fixtures.precisExecutable, ["bench", "--model", Fixtures.modelPath, "--kv-cache", "q4"])
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("--kv-cache"), "\(bad.stderr)")
    }

    @Test func badArgumentsExitWithTwo() throws {
        let r = try runCommand(Fixtures.precisExecutable, ["bench", "--model", Fixtures.modelPath, "--gen-tokens", "0"])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("--gen-tokens"))
        // More positions than the model's window: one line, no attempt to map a cache for them.
        let big = try runCommand(Fixtures.precisExecutable, ["bench", "--model", Fixtures.modelPath, "--prompt-tokens", "100000000"])
        #expect(big.status == 2)
        #expect(big.stderr == "precis: --prompt-tokens 100000000 + --gen-tokens 128 exceeds the model's context window of 8192 tokens\n",
                "\(big.stderr)")
    }
}
