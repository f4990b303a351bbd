import Foundation
import Testing
import TestSupport

/// `precis doctor` run as a user runs it: the real binary, real files.
@Suite struct DoctorTests {
    private func doctor(model: String) throws -> CommandResult {
        try runCommand(Fixtures.precisExecutable, ["doctor", "--model", model])
    }

    private func failLines(_ r: CommandResult) -> [Substring] {
        r.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
    }

    @Test func healthyWithTheBundledModel() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let r = try doctor(model: Fixtures.modelPath)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("matches the bundled"))
        #expect(r.stdout.contains("architecture llama"))
        #expect(r.stdout.contains("poppler-glib"))
        #expect(failLines(r).isEmpty)
    }

    @Test func missingModel() throws {
        let r = try doctor(model: "/nonexistent/model.gguf")
        #expect(r.status != 0)
        #expect(failLines(r).count == 1)
        #expect(failLines(r).first?.contains("/nonexistent/model.gguf: no such file") == true)
    }

    @Test func truncatedModel() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let dir = try Fixtures.temporaryDirectory("doctor")
        let path = dir.appendingPathComponent(URL(fileURLWithPath: Fixtures.modelPath).lastPathComponent).path
        let head = try FileHandle(forReadingFrom: URL(fileURLWithPath: Fixtures.modelPath)).read(upToCount: 1000)!
        try head.write(to: URL(fileURLWithPath: path))
        let r = try doctor(model: path)
        #expect(r.status != 0)
        let fails = failLines(r)
        #expect(fails.contains { $0.contains("does not match the bundled model") })
        #expect(fails.contains { $0.contains("truncated GGUF file") })
    }

    @Test func textFileNamedGGUF() throws {
        let dir = try Fixtures.temporaryDirectory("doctor")
        let path = dir.appendingPathComponent("notes.gguf").path
        try "These are my notes, not a model.\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try doctor(model: path)
        #expect(r.status != 0)
        #expect(failLines(r).map(String.init) == ["FAIL gguf          \(path): not a GGUF file (bad magic)"])
    }

    @Test func noModelAnywhere() throws {
        let dir = try Fixtures.temporaryDirectory("doctor")
        let r = try runCommand(Fixtures.precisExecutable, ["doctor"], directory: dir,
                               environment: ["HOME": dir.path], removing: ["PRECIS_MODEL"])
        #expect(r.status != 0)
        #expect(failLines(r).first?.contains("no model file found") == true)
    }
}
