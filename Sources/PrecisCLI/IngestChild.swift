import ArgumentParser
import Common
import Ingest

/// `precis ingest-child …`: reads one PDF for a parent precis, in its own process under limits (`Ingest.runChild`).
/// Hidden: only precis starts it.
struct IngestChild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: Ingest.childSubcommand,
        abstract: "Read one PDF for a parent precis, under limits, and write it as JSON (internal).",
        shouldDisplay: false)

    @Argument(parsing: .captureForPassthrough)
    var arguments: [String] = []

    func run() throws {
        // The document, or why not, is on standard output for the parent; the status says which.
        guard try Ingest.runChild(arguments: arguments) else { throw Reported(failureClass: .documents) }
    }
}
