import Common
import Testing

@Suite struct SettingsMessageTests {
    static let message: SettingsMessage =
        "\(Setting.chunkTokens) 4096 + \(Setting.summaryTokens) 160 exceeds \(Setting.contextTokens) 2048"

    @Test func namesSettingsAsFlagsByDefault() {
        #expect(Self.message.description == "--chunk-tokens 4096 + --summary-tokens 160 exceeds --context-tokens 2048")
        #expect(Self.message.settings == [.chunkTokens, .summaryTokens, .contextTokens])
    }

    @Test func rendersEachSettingAsTheCallerSays() {
        #expect(Self.message.rendered(\.key) == "chunk_tokens 4096 + summary_tokens 160 exceeds context_tokens 2048")
        let nested: SettingsMessage = "invalid: \(Self.message)"
        #expect(nested.settings == Self.message.settings)
        #expect(nested.rendered(\.key).hasPrefix("invalid: chunk_tokens 4096"))
    }

    @Test func everySettingHasAFlagAndAKey() {
        #expect(Setting.kvCache.flag == "--kv-cache" && Setting.kvCache.key == "kv_cache")
        #expect(Set(Setting.allCases.map(\.flag)).count == Setting.allCases.count)
    }

    @Test func exitStatusesAreTheContracts() {
        #expect(ExitStatus.of(.usage) == 2)
        #expect(ExitStatus.of(.documents) == 3)
        #expect(ExitStatus.of(.other) == 1)
        #expect(ExitStatus.success == 0)
    }
}
