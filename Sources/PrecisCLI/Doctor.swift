import ArgumentParser
import Common
import Engine
import Foundation
import Ingest

/// `precis doctor`: checks libraries, the model file and its checksum, the CPU's instruction sets.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check libraries, model file and checksum, GGUF header, CPU features.")

    @Option(help: "Model file (default: $PRECIS_MODEL, ./Models, $XDG_CACHE_HOME/precis/models or ~/.cache/precis/models).")
    var model: String?

    func run() throws {
        var failed = false
        func line(_ label: String, _ text: String, ok: Bool = true) {
            print("\(ok ? "ok  " : "FAIL") \(label.padding(toLength: 13, withPad: " ", startingAt: 0)) \(text)")
            if !ok { failed = true }
        }
        line("poppler-glib", LibraryVersions.poppler)
        line("libxml2", LibraryVersions.libxml2)
        checkModel(line)
        let cpu = CPUFeatures.current
        line("cpu", cpu.names.isEmpty ? "no SIMD extensions (scalar kernels)" : cpu.names.joined(separator: ", "))
        line("cores", "\(ProcessInfo.processInfo.activeProcessorCount)")
        if failed { throw Reported(failureClass: .other) }
    }

    private func checkModel(_ line: (String, String, Bool) -> Void) {
        let path: String
        do {
            let found = try ModelLocator(flag: model).locate()
            path = found.path
            line("model", "\(path) (from \(found.source.rawValue))", true)
        } catch {
            line("model", "\(error)", false)
            return
        }
        guard FileManager.default.fileExists(atPath: path) else {
            line("model", "\(path): no such file", false)
            return
        }
        do {
            let sum = try ModelLocator.sha256(ofFile: path)
            if sum == ModelLocator.bundledSHA256 {
                line("checksum", "sha256 \(sum.prefix(16))… matches the bundled SmolLM2-135M-Instruct Q4_1", true)
            } else if (path as NSString).lastPathComponent == ModelLocator.bundledFileName {
                line("checksum", "\(path): sha256 \(sum) does not match the bundled model's \(ModelLocator.bundledSHA256) (damaged or incomplete; run `make model`)", false)
            } else {
                line("checksum", "sha256 \(sum) (not the bundled model; not checked)", true)
            }
        } catch {
            line("checksum", "\(error)", false)
        }
        do {
            let gguf = try GGUFFile(path: path)
            line("gguf", "version \(gguf.version), \(gguf.tensors.count) tensors, \(gguf.metadata.count) metadata keys, architecture \(gguf.architecture ?? "(none)")", true)
        } catch {
            line("gguf", "\(error)", false)
        }
    }
}
