#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A control, user-defined or unknown token, matched in the text by its exact bytes.
struct SpecialToken: Sendable {
    let id: Int32
    let bytes: [UInt8]
    /// Control and unknown tokens are matched only when the caller asks (`parseSpecial`); user-defined ones always.
    let parsedOnlyOnRequest: Bool
    /// Whitespace before / after the token is dropped (llama.cpp sets these by model name, e.g. for Phi-3).
    var stripsLeft = false
    var stripsRight = false
}

/// Indices into `Tokenizer.specials` by the first byte of the token's text; with and without the tokens matched only
/// on request (control, unknown).
struct SpecialIndex: Sendable {
    let all: [[Int]]
    let alwaysParsed: [[Int]]

    init(_ specials: [SpecialToken]) {
        var all = [[Int]](repeating: [], count: 256)
        var alwaysParsed = [[Int]](repeating: [], count: 256)
        for (index, special) in specials.enumerated() {
            guard let b = special.bytes.first else { continue }
            all[Int(b)].append(index)
            if !special.parsedOnlyOnRequest { alwaysParsed[Int(b)].append(index) }
        }
        self.all = all
        self.alwaysParsed = alwaysParsed
    }
}

/// A piece of the text: plain text (a byte range) to tokenize, or a special token already recognised.
enum Fragment {
    case text(Range<Int>)
    case token(Int32)
}

extension Tokenizer {
    /// Cuts the special tokens out of `bytes`, as llama.cpp does: each special token in turn, longest first, takes
    /// its leftmost non-overlapping occurrences in the text that earlier tokens left over.
    ///
    /// One scan first finds which special tokens occur at all (by their first byte), so plain text costs one pass.
    func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Fragment] {
        partition(bytes, parseSpecial: parseSpecial, in: 0..<bytes.count)
    }

    /// `partition` with control tokens matched everywhere but in `plain` (where only the always-parsed
    /// user-defined tokens are, as for `parseSpecial: false`); plain text on both sides of a boundary stays one
    /// fragment, so text without special tokens is cut exactly as `partition(bytes, parseSpecial: true)` cuts it.
    func partition(_ bytes: UnsafeBufferPointer<UInt8>, plain: Range<Int>) -> [Fragment] {
        let pieces = partition(bytes, parseSpecial: true, in: 0..<plain.lowerBound)
            + partition(bytes, parseSpecial: false, in: plain)
            + partition(bytes, parseSpecial: true, in: plain.upperBound..<bytes.count)
        var merged: [Fragment] = []
        merged.reserveCapacity(pieces.count)
        for fragment in pieces {
            if case let .text(range) = fragment, case let .text(previous)? = merged.last, previous.upperBound == range.lowerBound {
                merged[merged.count - 1] = .text(previous.lowerBound..<range.upperBound)
            } else {
                merged.append(fragment)
            }
        }
        return merged
    }

    /// The fragments of `bytes[range]` (ranges stay positions in `bytes`).
    private func partition(_ bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool, in range: Range<Int>) -> [Fragment] {
        guard !range.isEmpty else { return [] }
        guard !specials.isEmpty else { return [.text(range)] }
        let present = specialsPresent(in: UnsafeBufferPointer(rebasing: bytes[range]), parseSpecial: parseSpecial)
        guard present.contains(true) else { return [.text(range)] }

        var fragments: [Fragment] = [.text(range)]
        for (index, special) in specials.enumerated() where present[index] {
            var next: [Fragment] = []
            next.reserveCapacity(fragments.count + 2)
            for fragment in fragments {
                guard case let .text(range) = fragment else {
                    next.append(fragment)
                    continue
                }
                var start = range.lowerBound
                while start < range.upperBound,
                      let match = Self.find(special.bytes, in: bytes, from: start, to: range.upperBound) {
                    var left = match
                    if special.stripsLeft { while left > start && Self.isSpace(bytes[left - 1]) { left -= 1 } }
                    if left > start { next.append(.text(start..<left)) }
                    next.append(.token(special.id))
                    start = match + special.bytes.count
                    if special.stripsRight { while start < range.upperBound && Self.isSpace(bytes[start]) { start += 1 } }
                }
                if start < range.upperBound { next.append(.text(start..<range.upperBound)) }
            }
            fragments = next
        }
        return fragments
    }

    /// C's `isspace`: space, \t, \n, \v, \f, \r.
    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// For each special token, whether its bytes occur somewhere in `bytes`.
    private func specialsPresent(in bytes: UnsafeBufferPointer<UInt8>, parseSpecial: Bool) -> [Bool] {
        var present = [Bool](repeating: false, count: specials.count)
        let byFirstByte = parseSpecial ? specialsByFirstByte.all : specialsByFirstByte.alwaysParsed
        let n = bytes.count
        var i = 0
        while i < n {
            let b = Int(bytes[i])
            if !byFirstByte[b].isEmpty {
                for index in byFirstByte[b] where !present[index] {
                    let s = specials[index].bytes
                    if i + s.count <= n, s.withUnsafeBytes({ memcmp(bytes.baseAddress! + i, $0.baseAddress!, s.count) }) == 0 {
                        present[index] = true
                    }
                }
            }
            i += 1
        }
        return present
    }

    /// The first position in `from..<to` where `needle` starts and ends inside that range.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to - from >= needle.count, !needle.isEmpty else { return nil }
        return needle.withUnsafeBytes { n -> Int? in
            let base = bytes.baseAddress!
            let first = Int32(n[0])
            let last = to - n.count  // last possible start
            var i = from
            while i <= last {
                // memchr to the next candidate first byte, then compare the rest.
                guard let hit = memchr(base + i, first, last - i + 1) else { return nil }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }
}
