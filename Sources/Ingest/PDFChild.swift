import Common
import Foundation

/// A PDF read in a child process, so that poppler's crash, hang or blow-up fails this document only.
///
/// The child is `command` (precis itself: `/proc/self/exe ingest-child`), started with posix_spawn
/// (`UnsafeChildProcess`). It sets its own limits with setrlimit(2) before it opens the file: CPU time
/// (`Limits.cpuSeconds`), address space (`Limits.addressSpaceBytes`) and no core file; the parent kills it
/// (SIGKILL) after `Limits.secondsPerDocument` of wall-clock time. Pages are extracted by `PDFReader`'s parallel
/// workers inside the child.
///
/// Parent to child: the limits and the path as arguments (`ingest-child --max-pages N --cpu-seconds S
/// --address-space-bytes B -- FILE`), the password in the child's environment (`PRECIS_PDF_PASSWORD`: arguments
/// are visible to every user in ps, the environment only to ours), and a standard input we hold open until the
/// child is reaped (the child exits at its end of file, so a killed parent leaves no child behind).
/// Child to parent: exit status 0 and the document as `Document.json()` on standard output; status 3 and the
/// `IngestError` as JSON; poppler's messages on standard error, one line each ("poppler: …"), which become the
/// document's warnings: the first `keptMessages`, then their count.
struct PDFChild {
    let command: Ingest.ChildCommand
    let limits: Ingest.Limits

    /// poppler messages kept as warnings; the rest are counted.
    static let keptMessages = 5
    static let passwordVariable = "PRECIS_PDF_PASSWORD"

    func read(path: String, password: String?) throws(IngestError) -> Document {
        let cpuSeconds = limits.childCPUSeconds
        let addressSpace = limits.childAddressSpaceBytes
        let arguments = command.arguments + ["--max-pages", "\(limits.maxPages)", "--cpu-seconds", "\(cpuSeconds)",
                                             "--address-space-bytes", "\(addressSpace)", "--", path]
        var environment = ProcessInfo.processInfo.environment
        // A crash ends the child at once: no backtrace (the Swift runtime's takes seconds, and goes nowhere).
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment.merge(command.environment) { $1 }
        environment[Self.passwordVariable] = password

        var messages = Messages()
        let outcome: ChildOutcome
        do {
            outcome = try UnsafeChildProcess.run(executable: command.executable, arguments: arguments,
                                                 environment: environment, seconds: limits.secondsPerDocument) {
                messages.add($0)
            }
        } catch {
            throw .pdfProcess(path: path, failure: .failed(error.description))
        }

        switch outcome.ending {
        case .timedOut:
            throw .pdfProcess(path: path, failure: .timedOut(seconds: limits.secondsPerDocument))
        case .exited(0):
            guard var document = try? Document(json: Data(outcome.stdout)) else {
                throw .pdfProcess(path: path, failure: .failed("it wrote no document\(messages.otherSuffix)"))
            }
            document.warnings += messages.warnings
            return document
        case .exited(3):
            guard let error = try? JSONDecoder().decode(IngestError.self, from: Data(outcome.stdout)) else {
                throw .pdfProcess(path: path, failure: .failed("exit status 3 without a reason\(messages.otherSuffix)"))
            }
            throw error
        case let .exited(status):
            if messages.outOfMemory { throw .pdfProcess(path: path, failure: .overMemory(megabytes: addressSpace >> 20)) }
            throw .pdfProcess(path: path, failure: .failed("exit status \(status)\(messages.otherSuffix)"))
        case let .signaled(signal):
            // SIGXCPU at the soft CPU limit; SIGKILL at the hard one, a second later, if SIGXCPU was caught.
            if signal == SIGXCPU || (signal == SIGKILL && outcome.cpuSeconds >= Double(cpuSeconds)) {
                throw .pdfProcess(path: path, failure: .overCPUTime(seconds: cpuSeconds))
            }
            if messages.outOfMemory { throw .pdfProcess(path: path, failure: .overMemory(megabytes: addressSpace >> 20)) }
            if [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGKILL].contains(signal) {
                throw .pdfProcess(path: path, failure: .killed(signal: signal))
            }
            // A trap in our own code (a Swift runtime error) says what it was.
            if let fatal = messages.other.first(where: { $0.contains("Fatal error") }) {
                throw .pdfProcess(path: path, failure: .failed(fatal))
            }
            throw .pdfProcess(path: path, failure: .crashed(signal: signal))
        }
    }

    /// The child's standard error, line by line: poppler's messages counted and the first few different ones
    /// kept, other lines (a runtime's last words) kept for the reason of a failure.
    struct Messages {
        var poppler: [String] = []
        var popplerCount = 0
        var other: [String] = []
        var outOfMemory = false

        /// What glib, poppler, the C++ and Swift runtimes and strerror(ENOMEM) say when an allocation fails.
        static let outOfMemoryPhrases = ["out of memory", "failed to allocate", "cannot allocate memory",
                                         "could not allocate", "bad_alloc"]

        mutating func add(_ line: String) {
            if line.hasPrefix("poppler: ") {
                popplerCount += 1
                // poppler writes a message's own line end as "<0a>"; each page worker opens the file and may
                // repeat what the first said.
                var message = line
                if message.hasSuffix("<0a>") { message.removeLast(4) }
                if poppler.count < PDFChild.keptMessages, !poppler.contains(message) { poppler.append(message) }
                return
            }
            let lowered = line.lowercased()
            if Self.outOfMemoryPhrases.contains(where: lowered.contains) { outOfMemory = true }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, other.count < 3 { other.append(String(trimmed.prefix(300))) }
        }

        /// The document's warnings: the first messages, then how many more there were.
        var warnings: [String] {
            guard popplerCount > poppler.count else { return poppler }
            return poppler + ["poppler: \(popplerCount - poppler.count) more messages (\(popplerCount) in all)"]
        }

        /// ": " and the child's first line that is not poppler's, if any.
        var otherSuffix: String { other.first.map { ": " + $0 } ?? "" }
    }
}

extension Ingest {
    /// The subcommand of precis that runs `runChild` (hidden from its help).
    public static let childSubcommand = "ingest-child"

    /// A usage error in the child's arguments (it is started only by `PDFChild`, so this is a bug).
    public struct ChildUsageError: ClassifiedError {
        public let description: String
        public var failureClass: FailureClass { .usage }
    }

    /// The child's side of `PDFChild`: `ingest-child --max-pages N --cpu-seconds S --address-space-bytes B --
    /// FILE`. Sets its limits, reads the PDF, and writes the document, or the `IngestError`, as JSON on standard
    /// output. Returns whether it read the document (the command's exit status is then 0, else 3).
    ///
    /// Test hook (tests only: `PDFChildTests`, `JobRunTests`): `PRECIS_INGEST_CHILD_TEST=ACTION` or
    /// `ACTION:NAME` (only for a file named NAME; several separated by commas) makes the child, once its limits
    /// are set, `crash` (SIGSEGV), `hang` (sleep), `spin` (burn CPU) or `allocate` (through glib, until the
    /// address-space limit), so the parent's handling of each is tested on a real child.
    public static func runChild(arguments: [String]) throws(ChildUsageError) -> Bool {
        var maxPages = Int.max, cpuSeconds: Int?, addressSpace: Int?, file: String?
        var i = 0
        func value() throws(ChildUsageError) -> Int {
            i += 1
            guard i < arguments.count, let n = Int(arguments[i]), n > 0 else {
                throw ChildUsageError(description: "\(childSubcommand): \(arguments[i - 1]) needs a positive integer")
            }
            return n
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--max-pages": maxPages = try value()
            case "--cpu-seconds": cpuSeconds = try value()
            case "--address-space-bytes": addressSpace = try value()
            case "--" where i + 2 == arguments.count: file = arguments[i + 1]; i += 1
            default: throw ChildUsageError(description: "\(childSubcommand): unexpected argument '\(arguments[i])'")
            }
            i += 1
        }
        guard let file else { throw ChildUsageError(description: "\(childSubcommand): no file (-- FILE)") }

        UnsafeChildProcess.limitThisProcess(cpuSeconds: cpuSeconds, addressSpaceBytes: addressSpace)
        UnsafeChildProcess.exitWhenStandardInputCloses()
        PopplerProcess.messagesToStandardError()
        let password = ProcessInfo.processInfo.environment[PDFChild.passwordVariable]
        testHook(file: file)

        let output: Data
        let read: Bool
        do {
            output = Data(try PDFReader(path: file, password: password, maxPages: maxPages).read().json().utf8)
            read = true
        } catch {
            let failure = error as? IngestError ?? .damagedPDF(path: file, reason: "\(error)")
            output = (try? JSONEncoder().encode(failure)) ?? Data()
            read = false
        }
        try? FileHandle.standardOutput.write(contentsOf: output)
        return read
    }

    /// `PRECIS_INGEST_CHILD_TEST` (see `runChild`).
    private static func testHook(file: String) {
        guard let hook = ProcessInfo.processInfo.environment["PRECIS_INGEST_CHILD_TEST"] else { return }
        let name = (file as NSString).lastPathComponent
        for entry in hook.split(separator: ",") {
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[1] != name { continue }
            switch parts.first {
            case "crash": raise(SIGSEGV)
            case "hang": while true { sleep(60) }
            case "spin": var x = 0; while true { x &+= 1; if x == 0 { print(x) } }
            case "allocate": PopplerProcess.allocateWithoutEnd()
            default: continue
            }
        }
    }
}
