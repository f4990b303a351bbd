import ArgumentParser
import Common
import Foundation

/// `precis`: summarize long documents and whole corpora on one machine.
@main
struct Precis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precis",
        abstract: "Summarize long documents and whole corpora, offline, on the CPU.",
        discussion: "Exit status: 0 success; 2 usage or configuration error; 3 some documents failed; 1 anything else.",
        subcommands: [Run.self, Submit.self, Worker.self, Status.self, Summarize.self, Eval.self, PlanCommand.self, Extract.self, Tokenize.self, Generate.self, Bench.self, Doctor.self, IngestChild.self]
    )

    /// Runs the command and exits with the status of how it ended: the one place that turns a failure into an
    /// exit status (`ExitStatus`: 0, 2 usage or configuration, 3 some documents failed, 1 anything else).
    static func main() {
        // Over a file-size limit (RLIMIT_FSIZE) a write fails with EFBIG, reported like a full disk, instead of
        // the default SIGXFSZ ending the process.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ClassifiedError {
            if !(error is Reported) { printError(error.description) }
            Foundation.exit(ExitStatus.of(error.failureClass))
        } catch {
            // ArgumentParser's own: a bad flag (usage, with the command's usage lines), --help, --version.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.of(.usage))
            }
            exit(withError: error)
        }
    }
}

/// A failure the command has already reported line by line (each document that failed, say); only its status
/// is left to give.
struct Reported: ClassifiedError {
    let failureClass: FailureClass
    var description: String { "" }
}

/// A failure the command found itself, in one line: by default a usage error (a missing file, a bad lock path).
struct CommandError: ClassifiedError {
    let description: String
    let failureClass: FailureClass
    init(_ description: String, _ failureClass: FailureClass = .usage) {
        self.description = description
        self.failureClass = failureClass
    }
}

/// Prints one clear line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("precis: " + message + "\n").utf8))
}
