import ArgumentParser
import Foundation

/// `precis`: summarize long documents and whole corpora on one machine.
@main
struct Precis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "precis",
        abstract: "Summarize long documents and whole corpora, offline, on the CPU.",
        discussion: "Exit status: 0 success; 2 usage or configuration error; 3 some documents failed; 1 anything else.",
        subcommands: [Run.self, Submit.self, Worker.self, Status.self, Summarize.self, Eval.self, PlanCommand.self, Extract.self, Tokenize.self, Generate.self, Bench.self, Doctor.self]
    )

    /// Runs the command; usage errors exit with status 2 (DESIGN.md), not ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// An error already reported to the user in one line; carries the exit status.
struct Failure: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    var description: String { message }
}

/// Prints one clear line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data(("precis: " + message + "\n").utf8))
}
