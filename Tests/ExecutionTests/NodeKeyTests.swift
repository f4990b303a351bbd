import Engine
import Execution
import Testing

@Suite struct NodeKeyTests {
    static let base = NodeKey(run: NodeKey.Run(model: "model-a", decoding: .default, contextTokens: 2048, method: .grounded),
                              prompt: "Summarize: hello", maxOutputTokens: 160)

    /// A fixed input's key: if this changes, every cache made before is recomputed — change it knowingly (with
    /// `EngineVersion` or `SummaryText.version`), never by accident (a renamed field, another encoding).
    @Test func digestIsStable() {
        #expect(Self.base.digest == "744fa55e3bfe0cc7c070a3a106e9bb2a5a0da1e5e29d193885ac19f313dbe071")
        #expect(Self.base.run.engine == EngineVersion.current && Self.base.run.output == SummaryText.version)
        #expect(SummaryDecoding.default.kvCache == KVCacheType.defaultType)
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
        k = Self.base; k.run.decoding.sampling.topK = 41; variants.append(k)
        k = Self.base; k.run.engine += 1; variants.append(k)
        k = Self.base; k.run.output += 1; variants.append(k)
        let digests = Set(variants.map(\.digest) + [Self.base.digest])
        #expect(digests.count == variants.count + 1)
    }
}
