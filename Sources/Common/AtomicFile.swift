#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Writes files so that a reader (or a crash at any moment) sees the old content or the new, never a part:
/// a temporary file in the same directory, fsync, rename over the target, fsync of the directory.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot write: \(reason)" }
    }

    public static func write(_ data: Data, to path: String) throws(WriteError) {
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "\(error.localizedDescription)")
        }
        let temporary = dir + "/.\((path as NSString).lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        let written: Int = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                offset += n
            }
            return offset
        }
        if written != data.count || fsync(fd) != 0 {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw WriteError(path: path, reason: reason)
        }
        close(fd)
        if rename(temporary, path) != 0 { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    public static func write(_ string: String, to path: String) throws(WriteError) {
        try write(Data(string.utf8), to: path)
    }

    /// Replaces the directory `target` with the directory `new` as a whole: a reader sees the old directory or the
    /// new one, never a mix. With renameat2(2)'s RENAME_EXCHANGE (Linux 3.15+, looked up at run time: glibc's
    /// header does not reach Swift) the two swap in one step and the old one is removed after; without it (another
    /// system, a file system that refuses), `target` is renamed aside to `new + ".old"` first, so a crash between
    /// the two renames leaves it there (`restoreDirectory` puts it back).
    public static func replaceDirectory(at target: String, with new: String) throws(WriteError) {
        let parent = (target as NSString).deletingLastPathComponent
        defer { syncDirectory(parent.isEmpty ? "." : parent) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            if rename(new, target) != 0 { throw WriteError(path: target, reason: String(cString: strerror(errno))) }
            return
        }
        guard isDirectory.boolValue else { throw WriteError(path: target, reason: "not a directory") }
        if let exchange = renameExchange, exchange(AT_FDCWD, new, AT_FDCWD, target, 2 /* RENAME_EXCHANGE */) == 0 {
            try? FileManager.default.removeItem(atPath: new)
            return
        }
        let aside = new + ".old"
        try? FileManager.default.removeItem(atPath: aside)
        if rename(target, aside) != 0 { throw WriteError(path: target, reason: String(cString: strerror(errno))) }
        if rename(new, target) != 0 {
            let reason = String(cString: strerror(errno))
            _ = rename(aside, target)
            throw WriteError(path: target, reason: reason)
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    /// After a crash inside `replaceDirectory`'s fallback: puts `target` back from `new + ".old"` if it is missing.
    public static func restoreDirectory(at target: String, replacedWith new: String) {
        let aside = new + ".old"
        if !FileManager.default.fileExists(atPath: target), FileManager.default.fileExists(atPath: aside) {
            _ = rename(aside, target)
        }
        try? FileManager.default.removeItem(atPath: aside)
    }

    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    /// glibc's renameat2, when the C library has it.
    private static let renameExchange: RenameAt2? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
        #else
        return nil
        #endif
    }()
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
