import Engine
import Execution
import Testing

@Suite struct NodeKeyTests {
    static let base = NodeKey(run: NodeKey.Run(model: "model-a", decoding: .default, contextTokens: 2048, method: .grounded),
                              prompt: "Summarize: hello", maxOutputTokens: 160)

    /// The digest keeps the layout results were stored under before the key was a struct (so existing caches stay
    /// valid): SHA-256 of "14:precis-node-v1", "7:model-a", the decoding/context/method/budget string, the prompt,
    /// each length-prefixed (the expected value from Python's hashlib).
    @Test func digestKeepsTheStoredLayout() {
        #expect(Self.base.digest == "575f6d9709c92903503bc2a5c4d69d2e950af6cd141a9b5d9532090372f1a681")
    }

    @Test func everyFieldChangesTheKey() {
        var variants: [NodeKey] = []
        var k = Self.base
        k.run.model = "model-b"; variants.append(k)
        k = Self.base; k.prompt += " "; variants.append(k)
        k = Self.base; k.maxOutputTokens += 1; variants.append(k)
        k = Self.base; k.run.contextTokens += 1; variants.append(k)
        k = Self.base; k.run.method = .mapreduce; variants.append(k)
        k = Self.base; k.run.method = .extractive; variants.append(k)
        k = Self.base; k.run.decoding.kvCache = .q8_0; variants.append(k)
        k = Self.base; k.run.decoding.sampling.temperature = 0.5; variants.append(k)
        k = Self.base; k.run.decoding.sampling.seed = 7; variants.append(k)
        k = Self.base; k.run.decoding.sampling.noRepeatNGram = 3; variants.append(k)
        let digests = Set(variants.map(\.digest) + [Self.base.digest])
        #expect(digests.count == variants.count + 1)
    }
}
