#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive `flock` on a job's `.precis/lock`: held while the job runs, released when the process ends in
/// any way (kill -9 included), so two processes never run one job and a crash leaves no stale lock.
public final class JobLock {
    public let path: String
    private var fd: Int32

    /// Takes the lock, or returns nil when another process holds it. A holder that only peeks (`isHeld`) keeps
    /// it for microseconds, so a few retries over ~200 ms tell a peek from a run.
    public static func acquire(directory: String) throws(JobError) -> JobLock? {
        let state = (directory as NSString).appendingPathComponent(".precis")
        do {
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        } catch {
            throw .io(path: state, reason: "cannot create the state directory: \(error.localizedDescription)")
        }
        let path = state + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io(path: path, reason: String(cString: strerror(errno))) }
        for attempt in 0..<8 {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return JobLock(path: path, fd: fd) }
            if errno != EWOULDBLOCK && errno != EINTR {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .io(path: path, reason: reason)
            }
            if attempt < 7 { usleep(25_000) }
        }
        close(fd)
        return nil
    }

    /// Whether some process holds the job's lock now (a running job). Peeks with a shared lock.
    public static func isHeld(directory: String) -> Bool {
        let path = (directory as NSString).appendingPathComponent(".precis/lock")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    public func release() {
        guard fd >= 0 else { return }
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }
}
