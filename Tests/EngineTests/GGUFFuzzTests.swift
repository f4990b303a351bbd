import Engine
import Foundation
import Testing
import TestSupport

/// Seeded mutation fuzzing of the GGUF reader over the real model's header, metadata and tensor table: every
/// mutated file must either load or throw an `EngineError`, never trap. `PRECIS_FUZZ_ITERATIONS` runs longer.
@Suite struct GGUFFuzzTests {
    @Test func mutatedHeadersThrowOrLoadNeverTrap() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let real = try GGUFFile(path: Fixtures.modelPath)
        // The header through the tensor table (no tensor data: the last check, the data's bounds, then throws;
        // every structure before it is parsed in full).
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: Fixtures.modelPath))
        let original = [UInt8](try handle.read(upToCount: real.dataOffset)!)
        try handle.close()
        let iterations = Int(ProcessInfo.processInfo.environment["PRECIS_FUZZ_ITERATIONS"] ?? "") ?? 300
        let dir = try Fixtures.temporaryDirectory("fuzz")
        let path = dir.appendingPathComponent("m.gguf").path
        var rng = SplitMix64(seed: 20261125)
        var loaded = 0  // a mutation that also shortens a tensor's size can load
        var thrown = 0
        // Mutations aim at the places that matter: the fixed header, the start of the metadata, the tokenizer
        // arrays in the middle, and the tensor table at the end.
        let regions = [0..<64, 64..<4096, (original.count / 2)..<(original.count / 2 + 4096),
                       max(0, original.count - 12_000)..<original.count]
        for _ in 0..<iterations {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let region = regions.randomElement(using: &rng)!
                guard !bytes.isEmpty else { break }
                let at = min(Int.random(in: region, using: &rng), bytes.count - 1)  // earlier deletions shorten it
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: for k in at..<min(bytes.count, at + 8) { bytes[k] = 0xFF }
                case 2: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
                }
            }
            let length = Int.random(in: 0..<10, using: &rng) == 0 ? Int.random(in: 0...bytes.count, using: &rng) : bytes.count
            try Data(bytes[0..<length]).write(to: URL(fileURLWithPath: path))
            do {
                _ = try GGUFFile(path: path)
                loaded += 1
            } catch {
                thrown += 1
            }
        }
        #expect(loaded + thrown == iterations)
        #expect(thrown > iterations / 2, "most mutations must be caught (\(thrown) of \(iterations))")
    }
}
