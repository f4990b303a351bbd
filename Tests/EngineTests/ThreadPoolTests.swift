import CKernels
import Engine
import Foundation
import Testing
import TestSupport

/// The context's persistent thread pool: every item runs exactly once, on a valid thread index, however the
/// chunks fall; and the model's logits do not depend on the number of threads.
@Suite struct ThreadPoolTests {
    @Test(arguments: [1, 2, 3])
    func everyItemRunsOnce(threads: Int) {
        let pool = ThreadPool(threads: threads)
        let count = 1000
        var hits = [Int](repeating: 0, count: count)
        var badThread = false
        var sawWorker = false
        hits.withUnsafeMutableBufferPointer { h in
            // Many short regions in a row, as decode runs them: a late worker must not take a stale chunk.
            for round in 0..<2000 {
                let n = 1 + round % count
                let grain = 1 + round % 7
                pool.run(n, grain: grain) { range, thread in
                    precondition(range.lowerBound % grain == 0)
                    if thread < 0 || thread >= threads { badThread = true }
                    if thread > 0 { sawWorker = true }
                    for i in range { h[i] += 1 }
                }
            }
        }
        let expected = (0..<count).map { i in (0..<2000).filter { i < 1 + $0 % count }.count }
        #expect(hits == expected)
        #expect(!badThread)
        if threads == 1 { #expect(!sawWorker) }

        var ran = [Int](repeating: 0, count: threads)
        ran.withUnsafeMutableBufferPointer { r in
            pool.runOnEachThread({ ctx, _, _, thread in ctx!.assumingMemoryBound(to: Int.self)[Int(thread)] += 1 },
                                 r.baseAddress!)
        }
        #expect(ran == [Int](repeating: 1, count: threads))
    }

    /// A worker that has not started when the first `pk_pool_run_each` is published still runs it: the pool is
    /// used at once after creation, 200 times over, with threads that are still starting. Before the fix a late
    /// worker took the already-bumped generation as seen and the caller spun forever, so the run goes to another
    /// thread and a hang fails the test after a timeout instead of stopping the suite.
    @Test func runEachRightAfterCreationReachesEveryThread() {
        final class Outcome: @unchecked Sendable {  // written by the one background run, read after `done`
            var ran: [[Int]] = []
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for round in 0..<200 {
                let threads = 2 + round % 3
                let pool = ThreadPool(threads: threads)
                var ran = [Int](repeating: 0, count: threads)
                ran.withUnsafeMutableBufferPointer { r in
                    pool.runOnEachThread({ ctx, _, _, thread in
                        ctx!.assumingMemoryBound(to: Int.self)[Int(thread)] += 1
                    }, r.baseAddress!)
                }
                outcome.ran.append(ran)
            }
            done.signal()
        }
        // On a timeout the background run is left spinning: it cannot be stopped, and the process ends soon.
        let finished = done.wait(timeout: .now() + 60) == .success
        #expect(finished, "pk_pool_run_each never returned: a worker that started late did not run it")
        if finished {
            #expect(outcome.ran.count == 200)
            #expect(outcome.ran.allSatisfy { $0.allSatisfy { $0 == 1 } })
        }
    }

    /// Rows are split at multiples of 16 whatever the thread count, so each goes through the same kernel code:
    /// the bundled model's logits after a prompt and after decoded tokens are the same bits with 1, 2 and 3 threads.
    @Test func logitsDoNotDependOnThreads() throws {
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "the bundled model is missing: run `make model`")
        let model = try Model(path: path)
        let prompt: [Int32] = (1...70).map { Int32($0 * 131 % 49152) }
        func run(threads: Int) throws -> [[Float]] {
            let context = InferenceContext(model: model, contextLength: 128, threads: threads, batchSize: 32)
            try prompt.withUnsafeBufferPointer { try context.evaluate($0) }
            var out = [context.withLogits { Array($0) }]
            for token: Int32 in [5, 77, 901, 12000] {
                try context.evaluate(token: token)
                out.append(context.withLogits { Array($0) })
            }
            return out
        }
        let one = try run(threads: 1)
        for threads in [2, 3] {
            let many = try run(threads: threads)
            for (step, (a, b)) in zip(one, many).enumerated() {
                let same = a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.elementsEqual(y) } }
                #expect(same, "\(threads) threads, step \(step)")
            }
        }
    }
}
