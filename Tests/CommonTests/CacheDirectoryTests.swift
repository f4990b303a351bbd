import Common
import Testing

/// Where precis keeps speeds.json and looks for models/: XDG_CACHE_HOME when it is absolute, else ~/.cache.
@Suite struct CacheDirectoryTests {
    @Test func xdgCacheHomeThenHome() {
        #expect(CacheDirectory.path(environment: ["XDG_CACHE_HOME": "/var/cache/u", "HOME": "/home/u"]) == "/var/cache/u/precis")
        #expect(CacheDirectory.path(environment: ["HOME": "/home/u"]) == "/home/u/.cache/precis")
        // The XDG Base Directory specification: a relative path is invalid and ignored; so is an empty one.
        #expect(CacheDirectory.path(environment: ["XDG_CACHE_HOME": "cache", "HOME": "/home/u"]) == "/home/u/.cache/precis")
        #expect(CacheDirectory.path(environment: ["XDG_CACHE_HOME": "", "HOME": "/home/u"]) == "/home/u/.cache/precis")
    }
}
