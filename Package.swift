// swift-tools-version:6.0
import PackageDescription

// Layout: one module per pipeline stage, dependencies pointing one way.
//   Common  ←  Engine (GGUF runtime, CKernels)  ←  Ingest (CPoppler, CLibXML2)  ←  …  ←  PrecisCLI
// Each C library is imported by exactly one Swift module.


let package = Package(
    name: "Precis",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "precis", targets: ["PrecisCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C at the edges.
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib",
                       providers: [.apt(["libpoppler-glib-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        // The C library's GNU process calls (pipe2, posix_spawn closefrom) for the PDF child process.
        .systemLibrary(name: "CProcess"),
        // Test-only: cairo writes the PDFs that IngestTests read.
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .target(name: "CKernels",
                cSettings: [.unsafeFlags(["-O3"], .when(configuration: .release))]),

        // Stages.
        .target(name: "Common"),
        .target(name: "Engine", dependencies: ["Common", "CKernels"]),
        .target(name: "Ingest", dependencies: ["Common", "CPoppler", "CLibXML2", "CProcess"]),
        .target(name: "Chunking", dependencies: ["Common"]),
        .target(name: "Planning", dependencies: ["Common", "Chunking"]),
        .target(name: "Grounding", dependencies: ["Common", "Chunking"]),
        .target(name: "Execution", dependencies: ["Common", "Engine", "Ingest", "Chunking", "Planning", "Grounding"]),
        // Measuring summaries: ROUGE, grounding of numbers, loops, length; `precis eval`.
        .target(name: "Evaluation", dependencies: ["Common", "Ingest", "Execution"]),
        .target(name: "Jobs", dependencies: [
            "Common", "Engine", "Ingest", "Planning", "Execution",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The command line, thin. `make build` links the Swift runtime and Foundation into it with SwiftPM's
        // `--static-swift-stdlib` (Makefile: why, and what it costs).
        .executableTarget(name: "PrecisCLI", dependencies: [
            "Common", "Engine", "Ingest", "Chunking", "Planning", "Execution", "Evaluation", "Jobs",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks (measure, not assert): `swift run -c release KernelBench`.
        .executableTarget(name: "KernelBench", dependencies: ["Engine"], path: "Benchmarks/KernelBench"),

        // Tests.
        .target(name: "TestSupport", dependencies: ["Common", "Chunking"], path: "Tests/TestSupport"),
        // Counts heap allocations (interposes malloc) for the engine's zero-allocation decode test.
        .target(name: "CAllocCounter", path: "Tests/CAllocCounter"),
        .testTarget(name: "CommonTests", dependencies: ["Common", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport", "CAllocCounter"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "TestSupport", "CCairo"]),
        .testTarget(name: "ChunkingTests", dependencies: ["Chunking", "TestSupport"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Chunking", "TestSupport"]),
        .testTarget(name: "GroundingTests", dependencies: ["Grounding", "Chunking", "Common", "TestSupport"]),
        .testTarget(name: "ExecutionTests", dependencies: ["Execution", "Planning", "Chunking", "Engine", "Grounding", "Common", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Execution", "Engine", "Ingest", "TestSupport"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs", "Execution", "Engine", "Ingest", "Common", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
