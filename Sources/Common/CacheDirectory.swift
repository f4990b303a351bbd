import Foundation

/// Precis's per-user cache directory: `$XDG_CACHE_HOME/precis` when `XDG_CACHE_HOME` is an absolute path (the XDG
/// Base Directory specification ignores a relative one), else `~/.cache/precis`. It holds `models/` (searched for a
/// model file) and `speeds.json` (the engine speeds measured on this machine); everything in it can be rebuilt.
public enum CacheDirectory {
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return (xdg as NSString).appendingPathComponent("precis")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".cache/precis")
    }
}
