/// Hash tables and byte maps behind the tokenizer: lookups by byte string that never allocate.

/// An open-addressing hash table from byte strings to `Int64` values.
///
/// Keys are copied into one arena; a lookup hashes the probe bytes in place (no `[UInt8]` made per lookup), which
/// is what keeps vocabulary and cache lookups off the allocator on the encoding hot path.
struct ByteTable: Sendable {
    /// One slot: key position in `arena`, key length, value. `length == -1` marks an empty slot.
    private struct Slot {
        var hash: UInt64 = 0
        var start: Int32 = 0
        var length: Int32 = -1
        var value: Int64 = 0
    }

    private var slots: [Slot]
    private var arena: [UInt8] = []
    private(set) var count = 0
    private var mask: Int

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
    }

    /// Bytes held by the keys (for cache bounds).
    var arenaBytes: Int { arena.count }

    /// FNV-1a, 64-bit: short keys, no set-up cost.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3
        }
        return h
    }

    func value(for key: UnsafeRawBufferPointer) -> Int64? {
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                while true {
                    let slot = slots[i]
                    if slot.length < 0 { return nil }
                    if slot.hash == h, Int(slot.length) == key.count,
                       key.count == 0 || memcmp(arena.baseAddress! + Int(slot.start), key.baseAddress!, key.count) == 0 {
                        return slot.value
                    }
                    i = (i + 1) & mask
                }
            }
        }
    }

    func value(for key: [UInt8]) -> Int64? {
        key.withUnsafeBytes { value(for: $0) }
    }

    /// Inserts or replaces the value of `key`.
    mutating func set(_ key: UnsafeRawBufferPointer, _ value: Int64) {
        if (count + 1) * 2 > slots.count { grow() }
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            if slot.length < 0 { break }
            if slot.hash == h, Int(slot.length) == key.count, arenaEquals(Int(slot.start), key) {
                slots[i].value = value
                return
            }
            i = (i + 1) & mask
        }
        let start = arena.count
        arena.append(contentsOf: key)
        slots[i] = Slot(hash: h, start: Int32(start), length: Int32(key.count), value: value)
        count += 1
    }

    mutating func set(_ key: [UInt8], _ value: Int64) {
        key.withUnsafeBytes { set($0, value) }
    }

    mutating func removeAll() {
        for i in slots.indices { slots[i].length = -1 }
        arena.removeAll(keepingCapacity: true)
        count = 0
    }

    private func arenaEquals(_ start: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        arena.withUnsafeBufferPointer { arena in
            key.count == 0 || memcmp(arena.baseAddress! + start, key.baseAddress!, key.count) == 0
        }
    }

    private mutating func grow() {
        let old = slots
        let size = slots.count * 2
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
        for slot in old where slot.length >= 0 {
            var i = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[i].length >= 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

/// The GPT-2 byte-level alphabet: every byte is shown as one printable code point, so a vocabulary of strings can
/// hold any byte sequence. Printable Latin-1 bytes stand for themselves; the others are moved to U+0100 and up.
enum ByteLevel {
    /// Code point standing for each byte.
    static let byteToScalar: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b) {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte each code point below U+0144 stands for (-1: not in the alphabet).
    private static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for b in 0..<256 { table[Int(byteToScalar[b])] = Int16(b) }
        return table
    }()

    /// The byte a code point stands for, if it is part of the alphabet.
    @inline(__always)
    static func byte(for scalar: UInt32) -> UInt8? {
        guard scalar < 0x144 else { return nil }
        let b = scalarToByte[Int(scalar)]
        return b < 0 ? nil : UInt8(b)
    }

    /// Decodes a vocabulary string written in the byte-level alphabet; nil if a character is outside it.
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let b = byte(for: scalar.value) else { return nil }
            out.append(b)
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
