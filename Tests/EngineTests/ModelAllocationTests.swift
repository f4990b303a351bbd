import CAllocCounter
import CKernels
import Engine
import Foundation
import Testing
import TestSupport

/// Decoding a token allocates nothing in the steady state: the KV cache, scratch and sampler buffers are
/// allocated with the context. Counted by interposing malloc and friends (Tests/CAllocCounter), per thread so
/// that tests running in parallel do not disturb the count; with two threads, the pool's worker counts too.
@Suite struct ModelAllocationTests {
    @Test(arguments: [1, 2], KVCacheType.allCases)
    func decodeAllocatesNothingPerToken(threads: Int, cacheType: KVCacheType) throws {
        try #require(precis_thread_allocation_count() != UInt64.max, "allocation counting needs glibc")
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "the bundled model is missing: run `make model`")
        let model = try Model(path: path)
        let context = InferenceContext(model: model, contextLength: 256, threads: threads, batchSize: 32,
                                       cacheType: cacheType)
        let sampler = Sampler(vocabularySize: model.config.vocabularySize)
        sampler.reset(SamplingParameters(temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, repetitionPenalty: 1.1, seed: 5))
        let prompt: [Int32] = Array(1...40).map { Int32($0 * 97) }
        try prompt.withUnsafeBufferPointer { try context.evaluate($0) }
        prompt.forEach(sampler.accept)

        func step() throws {
            let token = context.withLogits { sampler.sample($0) }
            sampler.accept(token)
            try context.evaluate(token: token)
        }
        for _ in 0..<4 { try step() }  // warm-up
        // Allocating on purpose shows the counter works.
        let probeBefore = precis_thread_allocation_count()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
        probe.deallocate()
        #expect(precis_thread_allocation_count() > probeBefore)

        // Allocations of every thread of the context's pool: the caller's and the workers' (buffers made first).
        var before = [UInt64](repeating: 0, count: threads), after = before
        let read: pk_pool_fn = { ctx, _, _, thread in
            ctx!.assumingMemoryBound(to: UInt64.self)[Int(thread)] = precis_thread_allocation_count()
        }
        before.withUnsafeMutableBufferPointer { context.runOnEachThread(read, $0.baseAddress!) }
        let steps = 64
        for _ in 0..<steps { try step() }
        after.withUnsafeMutableBufferPointer { context.runOnEachThread(read, $0.baseAddress!) }
        print("allocations per thread: \(zip(after, before).map { $0 - $1 })")
        let allocations = zip(after, before).map { $0 - $1 }.reduce(0, +)
        print("allocations over \(steps) decoded tokens with \(threads) threads, \(cacheType) cache (sampling included): \(allocations)")
        #expect(allocations == 0)
    }

    /// A context sized for 2048 positions costs the memory of the positions it holds: the KV cache's pages are
    /// committed as positions are written (checked with mincore, not timed).
    /// f16: 2 bytes a value; q8_0: 34 bytes a block of 32.
    @Test(arguments: KVCacheType.allCases) func kvCacheMemoryFollowsThePositionsUsed(cacheType: KVCacheType) throws {
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "the bundled model is missing: run `make model`")
        let model = try Model(path: path)
        let context = InferenceContext(model: model, contextLength: 2048, threads: 1, batchSize: 64, cacheType: cacheType)
        let full = context.cache.byteCount
        let row = cacheType == .f16 ? 192 * 2 : 192 / 32 * 34
        #expect(context.cache.rowBytes == row)
        #expect(full == 2 * 30 * 2048 * row)
        #expect(context.cache.residentBytes == 0, "nothing written yet")
        let prompt: [Int32] = Array(1...128).map { Int32($0 * 31) }
        try prompt.withUnsafeBufferPointer { try context.evaluate($0) }
        let afterPrompt = context.cache.residentBytes
        // 128 of 2048 positions, each layer's keys and values rounded up to whole pages.
        let perLayer = (128 * row + 4095) / 4096 * 4096
        #expect(afterPrompt > 0 && afterPrompt <= 2 * 30 * (perLayer + 4096), "\(afterPrompt) of \(full) bytes")
        for _ in 0..<64 {
            try context.evaluate(token: context.withLogits { logits in Int32(logits.indices.max { logits[$0] < logits[$1] }!) })
        }
        #expect(context.cache.residentBytes > afterPrompt && context.cache.residentBytes < full / 4)
    }
}
