#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Ingest

/// The documents a job's `inputs` name: paths and globs relative to the job directory; a directory stands for
/// the documents inside it (recursively, by extension, sorted).
///
/// Inputs stay inside the job: a file that resolves outside the job directory (an absolute path, `..`, a
/// symbolic link leading out) is refused unless `allowOutside` (job.toml's `allow_outside_inputs`); what precis
/// writes, `out/` and `.precis/`, is never an input (`inputs = ["."]` included).
public enum JobInputs {
    /// Every matching file once, in the order of the patterns (sorted within one), and warnings for patterns
    /// that matched nothing.
    public static func resolve(_ patterns: [String], in directory: String,
                               allowOutside: Bool = false) throws(JobError) -> (paths: [String], warnings: [String]) {
        var paths: [String] = []
        var seen = Set<String>()
        var warnings: [String] = []
        let root = realPath(directory) ?? (directory as NSString).standardizingPath
        let written = [root + "/out", root + "/.precis"]
        func isWritten(_ path: String) -> Bool { written.contains { path == $0 || path.hasPrefix($0 + "/") } }
        for pattern in patterns {
            let full = pattern.hasPrefix("/") ? pattern : (directory as NSString).appendingPathComponent(pattern)
            let isGlob = pattern.contains { "*?[".contains($0) }
            var matches: [String] = []
            if isGlob {
                matches = glob(full)
                if matches.isEmpty { warnings.append("inputs: '\(pattern)' matches no file") }
            } else {
                // What precis writes, named before it exists (its parent resolved, as `written` is).
                let standard = (full as NSString).standardizingPath as NSString
                let resolved = (realPath(standard.deletingLastPathComponent) ?? standard.deletingLastPathComponent)
                    + "/" + standard.lastPathComponent
                if isWritten(resolved) { continue }
                guard FileManager.default.fileExists(atPath: full) else {
                    throw .noInputs(path: full, reason: "no such file or directory (from job.toml inputs)")
                }
                matches = [full]
            }
            for match in matches {
                for file in expand(match) {
                    let real = realPath(file) ?? file
                    if isWritten(real) { continue }
                    guard allowOutside || real.hasPrefix(root + "/") else {
                        throw .inputOutside(path: file, pattern: pattern)
                    }
                    if seen.insert(file).inserted { paths.append(file) }
                }
            }
        }
        return (paths, warnings)
    }

    private static func expand(_ path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        guard isDirectory.boolValue else { return [(path as NSString).standardizingPath] }
        return InputFormats.documents(in: path).map { ($0 as NSString).standardizingPath }
    }

    /// realpath(3): absolute, links and `..` resolved; nil when the path does not exist.
    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// glob(3), sorted.
    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard systemGlob(pattern, 0, nil, &result) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted()
    }
}

#if canImport(Glibc)
private let systemGlob = Glibc.glob
#else
private let systemGlob = Darwin.glob
#endif
