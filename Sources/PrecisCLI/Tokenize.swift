import ArgumentParser
import Engine
import Foundation

/// `precis tokenize [--model M] [--json] [--count] TEXT`: the model's token ids for a text.
struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the model's token ids for a text, with their pieces (or as JSON, or only their number).",
        discussion: "Special-token text such as <|im_start|> becomes that token; BOS/EOS are added as the model file says. Exit status 2 when no model is found or it cannot be read.")

    @Option(help: "Model file whose tokenizer is used (default: $PRECIS_MODEL, ./Models, $XDG_CACHE_HOME/precis/models or ~/.cache/precis/models).")
    var model: String?

    @Flag(help: "Print the ids as a JSON array.")
    var json = false

    @Flag(help: "Print only the number of tokens.")
    var count = false

    @Flag(help: "Print the number of tokens, the time taken and the throughput (tokens/s, MB/s).")
    var stats = false

    @Argument(help: "The text; '-' reads standard input.")
    var text: String

    func validate() throws {
        if [json, count, stats].filter({ $0 }).count > 1 {
            throw ValidationError("--json, --count and --stats go one at a time")
        }
    }

    func run() throws {
        let input = text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
        let tokenizer = try Tokenizer(path: ModelLocator(flag: model).locate().path)
        let start = DispatchTime.now()
        let ids = tokenizer.encode(input, addSpecial: true, parseSpecial: true)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        if count {
            print(ids.count)
        } else if json {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
        } else if stats {
            let bytes = input.utf8.count
            print(String(format: "%d tokens, %d bytes, %.3f s, %.0f tokens/s, %.2f MB/s", ids.count, bytes, seconds,
                         Double(ids.count) / seconds, Double(bytes) / 1e6 / seconds))
        } else {
            for id in ids {
                print(String(format: "%7d", id) + "  " + Self.quoted(tokenizer.tokenPiece(id)))
            }
        }
    }

    /// A piece between quotes, with control characters and bytes that are not UTF-8 escaped.
    static func quoted(_ bytes: [UInt8]) -> String {
        var out = "'"
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let width = b < 0x80 ? 1 : b & 0xE0 == 0xC0 ? 2 : b & 0xF0 == 0xE0 ? 3 : b & 0xF8 == 0xF0 ? 4 : 0
            if width > 1, i + width <= bytes.count, let s = String(validating: bytes[i..<(i + width)], as: UTF8.self) {
                out += s
                i += width
                continue
            }
            switch b {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.append(Character(Unicode.Scalar(b)))
            default: out += String(format: "\\x%02X", b)
            }
            i += 1
        }
        return out + "'"
    }
}
