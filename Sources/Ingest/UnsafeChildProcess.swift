#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CProcess
import Dispatch
import Foundation

/// How a child process ended, and what it wrote on standard output.
struct ChildOutcome: Sendable {
    enum Ending: Sendable, Equatable {
        /// `exit(status)`.
        case exited(Int32)
        /// Ended by a signal it did not catch (or by our SIGKILL at the deadline: `timedOut`).
        case signaled(Int32)
        /// Still running at the deadline: killed with SIGKILL.
        case timedOut
    }
    var ending: Ending
    var stdout: [UInt8]
    /// User plus system CPU seconds it used (`wait4`'s rusage).
    var cpuSeconds: Double
}

/// Why a child could not be started.
struct SpawnError: Error, CustomStringConvertible {
    let description: String
}

/// Runs a child process with posix_spawn(3) and waits for it under a wall-clock deadline.
///
/// The child's standard output is read whole, its standard error line by line (`onStderrLine`; a line is cut at
/// 4 KiB), both as they come (poll(2)), so neither pipe fills and blocks it. Its standard input is a pipe we keep
/// open until it has been reaped: the child reads it to learn that we died (end of file) and then exits, so a
/// killed parent leaves no child running. The child gets every signal at its default action and an empty signal
/// mask (a parent's SIG_IGN would otherwise be inherited through exec), and none of our file descriptors but
/// 0, 1 and 2.
enum UnsafeChildProcess {
    static let maxLineBytes = 4096

    static func run(executable: String, arguments: [String], environment: [String: String], seconds: Int,
                    onStderrLine: (String) -> Void) throws(SpawnError) -> ChildOutcome {
        // [read end, write end] each, O_CLOEXEC: a child spawned at the same time by another thread gets none.
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard precis_pipe_cloexec(&input) == 0, precis_pipe_cloexec(&output) == 0, precis_pipe_cloexec(&errors) == 0 else {
            let reason = String(cString: strerror(errno))
            for fd in input + output + errors where fd >= 0 { close(fd) }
            throw SpawnError(description: "cannot make a pipe: \(reason)")
        }
        // Closed once the child is reaped (the defer runs last).
        let inputWrite = input[1]
        defer { close(inputWrite) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        precis_spawn_closefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }.sorted()
        var pid: pid_t = 0
        let spawned = withCStrings(argv) { argv in
            withCStrings(envp) { envp in
                posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            }
        }
        // Our copies of the child's ends: with them closed, end of file on stdout and stderr means the child's gone.
        close(input[0]); close(output[1]); close(errors[1])
        guard spawned == 0 else {
            close(output[0]); close(errors[0])
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds) * 1_000_000_000
        var stdout: [UInt8] = []
        var line: [UInt8] = []
        var lineCut = false
        var open = [output[0], errors[0]]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        func emitLine() {
            if !line.isEmpty || !lineCut { onStderrLine(String(decoding: line, as: UTF8.self)) }
            line.removeAll(keepingCapacity: true)
            lineCut = false
        }
        while !open.isEmpty {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min((deadline - now) / 1_000_000 + 1, 1000)))
            if ready < 0 && errno != EINTR { break }
            guard ready > 0 else { continue }
            for fd in fds where fd.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fd.fd, $0.baseAddress, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 {
                    close(fd.fd)
                    open.removeAll { $0 == fd.fd }
                    if fd.fd == errors[0], !line.isEmpty { emitLine() }
                    continue
                }
                if fd.fd == output[0] {
                    stdout.append(contentsOf: buffer[0..<n])
                    continue
                }
                for byte in buffer[0..<n] {
                    if byte == UInt8(ascii: "\n") {
                        emitLine()
                    } else if line.count < maxLineBytes {
                        line.append(byte)
                    } else {
                        lineCut = true
                    }
                }
            }
        }
        for fd in open { close(fd) }

        // Reap it; at the deadline (or if it closed its pipes but lingers past it), SIGKILL first.
        var status: Int32 = 0
        var usage = rusage()
        while true {
            if timedOut { kill(pid, SIGKILL) }
            let reaped = wait4(pid, &status, timedOut ? 0 : WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR {
                throw SpawnError(description: "lost the child process \(pid): \(String(cString: strerror(errno)))")
            }
            if reaped == 0 {
                if DispatchTime.now().uptimeNanoseconds >= deadline { timedOut = true } else { usleep(2000) }
            }
        }

        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        // Linux's wait status: the low 7 bits are the signal (0: it exited), the next 8 the exit status.
        let ending: ChildOutcome.Ending
        if timedOut {
            ending = .timedOut
        } else if status & 0x7f == 0 {
            ending = .exited((status >> 8) & 0xff)
        } else {
            ending = .signaled(status & 0x7f)
        }
        return ChildOutcome(ending: ending, stdout: stdout, cpuSeconds: cpu)
    }

    // MARK: in the child

    /// Limits this process (setrlimit(2)): no core file (a crash must not write one into a job directory), CPU
    /// seconds (SIGXCPU at the soft limit, SIGKILL a second later at the hard one), address space. A limit that
    /// cannot be set (one already lower) is left as it is.
    static func limitThisProcess(cpuSeconds: Int?, addressSpaceBytes: Int?) {
        func set(_ resource: Int32, _ soft: Int, _ hard: Int) {
            var limit = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
            _ = setrlimit(__rlimit_resource_t(resource), &limit)
        }
        set(Int32(RLIMIT_CORE.rawValue), 0, 0)
        if let cpuSeconds { set(Int32(RLIMIT_CPU.rawValue), cpuSeconds, cpuSeconds + 1) }
        if let addressSpaceBytes { set(Int32(RLIMIT_AS.rawValue), addressSpaceBytes, addressSpaceBytes) }
    }

    /// Ends this process (`_exit`) when its standard input reaches end of file: the parent holds the other end
    /// of that pipe until it has reaped us, so end of file means the parent is gone (killed, crashed).
    static func exitWhenStandardInputCloses() {
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let n = read(0, &byte, 1)
                if n > 0 || (n < 0 && errno == EINTR) { continue }
                _exit(1)
            }
        }
    }

    /// `body` with `strings` as a NULL-terminated array of C strings, valid for the call.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }
}
