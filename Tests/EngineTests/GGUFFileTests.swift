import Engine
import Foundation
import Testing
import TestSupport

@Suite struct GGUFFileTests {
    private func sample() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.metadata = [
            ("general.architecture", .string("llama")),
            ("u8", .uint8(7)), ("i8", .int8(-7)), ("u16", .uint16(700)), ("i16", .int16(-700)),
            ("u32", .uint32(70000)), ("i32", .int32(-70000)), ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))),
            ("f32", .float32(1.5)), ("f64", .float64(-2.25)), ("flag", .bool(true)),
            ("names", .array(elementType: 8, [.string("a"), .string("é"), .string("")])),
            ("nested", .array(elementType: 9, [.array(elementType: 5, [.int32(1), .int32(2)])])),
        ]
        let floats: [Float] = (0..<64).map { Float($0) }
        b.tensors = [GGUFBuilder.Tensor(name: "w", shape: [32, 2], type: 0,
                                        data: floats.withUnsafeBytes { Array($0) })]
        return b
    }

    private func write(_ bytes: [UInt8]) throws -> String {
        let dir = try Fixtures.temporaryDirectory("gguf")
        let url = dir.appendingPathComponent("m.gguf")
        try Data(bytes).write(to: url)
        return url.path
    }

    @Test func readsEveryMetadataTypeAndTensor() throws {
        let file = try GGUFFile(path: write(sample().bytes()))
        #expect(file.version == 3)
        #expect(file.architecture == "llama")
        #expect(file["u8"] == .uint8(7))
        #expect(file["i64"]?.integer == -(1 << 40))
        #expect(file["f64"]?.number == -2.25)
        #expect(file["flag"]?.bool == true)
        #expect(file["names"]?.array?.compactMap(\.string) == ["a", "é", ""])
        #expect(file["nested"]?.array?.first?.array?.count == 2)
        let w = try #require(file.tensor(named: "w"))
        #expect(w.shape == [32, 2] && w.type == .f32 && w.byteCount == 256)
        let data = file.data(of: w)
        #expect(data.load(fromByteOffset: 4 * 63, as: Float.self) == 63)
    }

    @Test func version2IsRead() throws {
        var b = sample()
        b.version = 2
        #expect(try GGUFFile(path: write(b.bytes())).version == 2)
    }

    @Test func everyTruncationThrowsNeverTraps() throws {
        let bytes = sample().bytes()
        for length in 0..<bytes.count {
            let path = try write(Array(bytes[0..<length]))
            #expect(throws: EngineError.self) { try GGUFFile(path: path) }
        }
    }

    @Test func wrongMagicAndVersion() throws {
        var bytes = sample().bytes()
        bytes[0] = UInt8(ascii: "X")
        let badMagic = try write(bytes)
        #expect(throws: EngineError.notGGUF(path: badMagic)) { try GGUFFile(path: badMagic) }
        var b = sample()
        b.version = 9
        let path = try write(b.bytes())
        #expect(throws: EngineError.unsupportedVersion(path: path, version: 9)) { try GGUFFile(path: path) }
    }

    @Test func lyingCountsAndTypesThrow() throws {
        // Tensor count (bytes 8..<16) and metadata count (16..<24) set absurdly high.
        for offset in [8, 16] {
            var bytes = sample().bytes()
            for i in 0..<8 { bytes[offset + i] = 0xFF }
            let path = try write(bytes)
            #expect(throws: EngineError.self) { try GGUFFile(path: path) }
        }
        var b = sample()
        b.metadata.append(("huge", .array(elementType: 8, [])))
        var bytes = b.bytes()
        // Patch the element count of the last array (it directly precedes the tensor table) to 2^62.
        let name = Array("huge".utf8)
        let at = try #require(bytes.indices.first { Array(bytes[$0..<min($0 + 4, bytes.count)]) == name })
        let countOffset = at + 4 + 4 + 4
        for i in 0..<8 { bytes[countOffset + i] = i == 7 ? 0x40 : 0 }
        let path = try write(bytes)
        #expect(throws: EngineError.self) { try GGUFFile(path: path) }

        var unknownType = sample()
        unknownType.tensors[0].type = 99
        let p2 = try write(unknownType.bytes())
        #expect(throws: EngineError.unsupportedTensorType(path: p2, tensor: "w", type: 99)) { try GGUFFile(path: p2) }

        var overflow = sample()
        overflow.tensors[0].shape = [32, UInt64(Int32.max), UInt64(Int32.max)]
        let p3 = try write(overflow.bytes())
        #expect(throws: EngineError.self) { try GGUFFile(path: p3) }
    }

    /// Names are the file's bytes: an error shows them on one short line (control characters escaped, a long
    /// name cut in the middle), and a tensor name past the specification's 64 bytes is refused. Before, a mutated
    /// name length made an error message of 268 MB with the rest of the tensor table in it.
    @Test func namesFromTheFileStayOnOneShortLine() throws {
        var b = sample()
        b.metadata.append(("evil\nkey\u{1B}[31m", .array(elementType: 77, [])))
        let path = try write(b.bytes())
        do {
            _ = try GGUFFile(path: path)
            Issue.record("an unknown array element type loaded")
        } catch {
            #expect(error.description.hasSuffix("unknown array element type 77 in 'evil\\nkey\\u{1B}[31m'"))
        }
        let long = String(repeating: "k", count: 5000)
        #expect(EngineError.missingMetadata(path: path, key: long).description
                == "\(path): missing or mistyped metadata key '\(String(repeating: "k", count: 60))…\(String(repeating: "k", count: 60))'")
        var named = sample()
        named.tensors[0].name = String(repeating: "t", count: 65)
        let p2 = try write(named.bytes())
        #expect(throws: EngineError.self) { try GGUFFile(path: p2) }
        named.tensors[0].name = String(repeating: "t", count: 64)
        #expect(try GGUFFile(path: write(named.bytes())).tensors[0].name.count == 64)
    }

    @Test func bundledModelHeader() throws {
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "run `make model` first: \(path)")
        let file = try GGUFFile(path: path)
        #expect(file.version == 3)
        #expect(file.architecture == "llama")
        #expect(file.tensors.count == 272)
        #expect(file["llama.embedding_length"]?.integer == 576)
        #expect(file["llama.block_count"]?.integer == 30)
        #expect(file["tokenizer.ggml.tokens"]?.array?.count == 49152)
        #expect(file.tensor(named: "token_embd.weight")?.type == .q8_0)
    }
}
