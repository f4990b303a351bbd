import Engine
import Execution
import Testing

/// The result cache's key covers everything that changes a model's output, the KV cache's type included.
@Suite struct SummaryDecodingTests {
    @Test func kvCacheTypeIsPartOfTheKey() {
        let sampling = SummaryDecoding.default.sampling
        let f16 = SummaryDecoding(sampling: sampling, kvCache: .f16)
        let q8 = SummaryDecoding(sampling: sampling, kvCache: .q8_0)
        #expect(f16.key != q8.key)
        // f16 keeps the key it had before the type was a setting, so earlier caches still hit.
        #expect(f16.key == "t=0.0;k=40;p=0.95;minp=0.05;rep=1.0/64;seed=0;ngram=4")
        #expect(q8.key == f16.key + ";kv=q8_0")
        #expect(SummaryDecoding.default.kvCache == KVCacheType.defaultType)
    }
}
