import Engine
import Foundation
import Testing
import TestSupport

/// Seeded mutation fuzzing of the GGUF reader and the model loader over the real model's header, metadata and
/// tensor table: every mutated file must load (as a `GGUFFile`, then as a `Model`) or throw an `EngineError` of one
/// line naming the file, never trap.
///
/// `make test` runs 300 mutations; `PRECIS_FUZZ_ITERATIONS=5000 swift test -c release --filter GGUFFuzzTests` runs
/// longer (about 25 ms a mutation in release on one core). `PRECIS_FUZZ_SEED` changes the sequence.
@Suite struct GGUFFuzzTests {
    @Test func mutatedHeadersThrowOrLoadNeverTrap() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let environment = ProcessInfo.processInfo.environment
        let iterations = Int(environment["PRECIS_FUZZ_ITERATIONS"] ?? "") ?? 300
        let seed = UInt64(environment["PRECIS_FUZZ_SEED"] ?? "") ?? 20261125
        let real = try Model(path: Fixtures.modelPath)
        // The header through the tensor table; the tensor data is not copied: each mutated file gets a hole of
        // zeros in its place (sparse, so free), large enough for a tensor whose type a mutation widened.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: Fixtures.modelPath))
        let original = [UInt8](try handle.read(upToCount: real.file.dataOffset)!)
        try handle.close()
        let dataBytes = real.file.file.bytes.count - real.file.dataOffset
        let targets = FuzzTargets(header: original, tensors: real.file.tensors)
        try #require(targets.integers.count >= 10 && targets.tensorFields.count == 3 * real.file.tensors.count,
                     "the fuzz targets were not found in the header")

        let dir = try Fixtures.temporaryDirectory("fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.gguf").path
        var rng = SplitMix64(seed: seed)
        var counts = (fileThrew: 0, modelThrew: 0, loaded: 0, reconfigured: 0)
        var unclear: [String] = []
        var fileErrors: [String: Int] = [:]  // by case
        var modelErrors: [String: Int] = [:]
        // Mutations aim at the places that matter: the fixed header, the start of the metadata (the model's
        // hyperparameters), the tokenizer arrays in the middle, the tensor table at the end; and, by value, the
        // integer metadata and the tensors' dimensions and types.
        let regions = [0..<64, 64..<4096, (original.count / 2)..<(original.count / 2 + 4096),
                       max(0, original.count - 20_000)..<original.count]
        for _ in 0..<iterations {
            var bytes = original
            // Half the files change values only, and so mostly parse: those test the model loader.
            let kinds = Bool.random(using: &rng) ? 4..<7 : 0..<7
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let region = regions.randomElement(using: &rng)!
                guard !bytes.isEmpty else { break }
                let at = min(Int.random(in: region, using: &rng), bytes.count - 1)  // earlier deletions shorten it
                switch Int.random(in: kinds, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: for k in at..<min(bytes.count, at + 8) { bytes[k] = 0xFF }
                case 2: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                case 3: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
                case 4, 5: targets.integers.randomElement(using: &rng)!.overwrite(&bytes, using: &rng)
                default: targets.tensorFields.randomElement(using: &rng)!.overwrite(&bytes, using: &rng)
                }
            }
            let length = Int.random(in: 0..<10, using: &rng) == 0 ? Int.random(in: 0...bytes.count, using: &rng) : bytes.count
            try Data(bytes[0..<length]).write(to: URL(fileURLWithPath: path))
            if length == bytes.count {
                let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try file.truncate(atOffset: UInt64(length + 64 + 8 * dataBytes))
                try file.close()
            }
            let gguf: GGUFFile
            do {
                gguf = try GGUFFile(path: path)
            } catch {
                counts.fileThrew += 1
                Self.tally(error, path: path, into: &fileErrors, unclear: &unclear)
                continue
            }
            do {
                let model = try Model(gguf: gguf)
                counts.loaded += 1
                // A model whose hyperparameters a mutation changed, yet loads, runs a token: the kernels get
                // shapes they were never tested with (zero weights: the values do not matter, the bounds do).
                if model.config != real.config {
                    counts.reconfigured += 1
                    let context = InferenceContext(model: model, contextLength: 2, threads: 1, batchSize: 1)
                    try context.evaluate(token: 1)
                }
            } catch {
                counts.modelThrew += 1
                Self.tally(error, path: path, into: &modelErrors, unclear: &unclear)
            }
        }
        print("GGUF fuzz, seed \(seed): \(iterations) mutations: \(counts.fileThrew) refused by GGUFFile, "
              + "\(counts.modelThrew) by Model, \(counts.loaded) loaded (\(counts.reconfigured) with another "
              + "configuration, each run one token). GGUFFile: \(Self.summary(fileErrors)). Model: "
              + "\(Self.summary(modelErrors)).")
        #expect(counts.fileThrew + counts.modelThrew + counts.loaded == iterations)
        #expect(counts.fileThrew + counts.modelThrew > iterations / 2,
                "most mutations must be caught (\(counts.fileThrew + counts.modelThrew) of \(iterations))")
        #expect(unclear.isEmpty, "errors that are not one line naming the file: \(unclear.prefix(5))")
    }

    /// Counts an error by case, and keeps it when it is not one short line (no control characters) starting with
    /// the file's path.
    private static func tally(_ error: EngineError, path: String, into errors: inout [String: Int],
                              unclear: inout [String]) {
        let line = error.description
        let controls = line.unicodeScalars.contains { $0.properties.generalCategory == .control }
        if !line.hasPrefix(path + ": ") || controls || line.contains(where: \.isNewline) || line.count > 600 {
            unclear.append(String(line.prefix(600)))
        }
        errors[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
    }

    private static func summary(_ errors: [String: Int]) -> String {
        errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

/// Where the values worth mutating by value sit in a GGUF header: integer metadata, tensor dimensions and types.
private struct FuzzTargets {
    /// A little-endian unsigned field of `width` bytes at `offset` of the unmutated header.
    struct Field {
        let offset: Int
        let width: Int
        let values: [UInt64]

        /// Writes one of `values` (or a random one), truncated to the field's width; a no-op when earlier
        /// deletions moved the field past the end.
        func overwrite(_ bytes: inout [UInt8], using rng: inout SplitMix64) {
            guard offset + width <= bytes.count else { return }
            let v = Int.random(in: 0..<8, using: &rng) == 0 ? UInt64.random(in: 0...UInt64.max, using: &rng)
                                                              : values.randomElement(using: &rng)!
            for k in 0..<width { bytes[offset + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
        }
    }

    private(set) var integers: [Field] = []
    private(set) var tensorFields: [Field] = []

    static let extremes: [UInt64] = [0, 1, 2, 3, 7, 9, 30, 31, 32, 64, 576, 1536, 8192, 49152, 1 << 16, 1 << 20,
                                     UInt64(Int32.max), UInt64(UInt32.max), 1 << 32, 1 << 40, 1 << 62,
                                     UInt64(Int64.max), UInt64.max]

    init(header: [UInt8], tensors: [GGUFTensorInfo]) {
        func u32(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(header[at + $1]) << (8 * $1) }
        }
        func u64(_ at: Int) -> UInt64 {
            (0..<8).reduce(0) { $0 | UInt64(header[at + $1]) << (8 * $1) }
        }
        // Integer metadata in the first 4 KiB (the hyperparameters): a key (u64 length, printable bytes), then
        // type u32 = 4, 5 (u32, i32) or 10, 11 (u64, i64), then the value.
        var at = 24
        while at + 12 < min(header.count, 4096) {
            let length = Int(truncatingIfNeeded: u64(at))
            let typeAt = at + 8 + length
            if (1...128).contains(length), typeAt + 12 <= header.count,
               header[(at + 8)..<typeAt].allSatisfy({ (0x20..<0x7F).contains($0) }) {
                switch u32(typeAt) {
                case 4, 5: integers.append(Field(offset: typeAt + 4, width: 4, values: Self.extremes))
                case 10, 11: integers.append(Field(offset: typeAt + 4, width: 8, values: Self.extremes))
                default: break
                }
                at = typeAt + 4
            } else {
                at += 1
            }
        }
        // The tensor table: the first tensor's name, then each info in order (name, dims, shape, type, offset).
        guard let first = tensors.first else { return }
        let pattern = withUnsafeBytes(of: UInt64(first.name.utf8.count).littleEndian, Array.init) + Array(first.name.utf8)
        guard var p = (0...(header.count - pattern.count)).last(where: { header[$0] == pattern[0]
            && header[$0..<($0 + pattern.count)].elementsEqual(pattern) }) else { return }
        let types = GGMLType.allCases.map { UInt64($0.rawValue) } + [4, 99, UInt64(UInt32.max)]
        for t in tensors {
            let shapeAt = p + 8 + t.name.utf8.count + 4
            guard shapeAt + 8 * t.shape.count + 12 <= header.count else { return }
            tensorFields.append(Field(offset: shapeAt, width: 8, values: Self.extremes))
            tensorFields.append(Field(offset: shapeAt + 8 * (t.shape.count - 1), width: 8, values: Self.extremes))
            tensorFields.append(Field(offset: shapeAt + 8 * t.shape.count, width: 4, values: types))
            p = shapeAt + 8 * t.shape.count + 12
        }
    }
}
