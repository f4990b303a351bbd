import Common
import Foundation

/// A job's lock: an exclusive `FileLock` on `.precis/lock`, held while the job runs, so two processes never run
/// one job.
public enum JobLock {
    /// Takes the job's lock, or returns nil when another process holds it.
    public static func acquire(directory: String) throws(JobError) -> FileLock? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw .notAJob(path: directory, reason: "no such directory")
        }
        guard isDirectory.boolValue else { throw .notAJob(path: directory, reason: "not a directory") }
        let state = (directory as NSString).appendingPathComponent(".precis")
        do {
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        } catch {
            throw .io(path: state, reason: "cannot create the state directory: \(error.localizedDescription)")
        }
        do {
            return try FileLock.acquire(path: state + "/lock", wait: false, retries: 7)
        } catch {
            throw .io(path: error.path, reason: error.reason)
        }
    }

    /// Whether some process holds the job's lock now (a running job).
    public static func isHeld(directory: String) -> Bool {
        FileLock.isHeld(path: (directory as NSString).appendingPathComponent(".precis/lock"))
    }
}
