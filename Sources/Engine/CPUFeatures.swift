import CKernels

/// The instruction sets the kernels can use on this CPU, read once.
public struct CPUFeatures: Sendable, Equatable {
    public let bits: UInt32

    public static let current = CPUFeatures(bits: pk_cpu_features())

    public var avx2: Bool { bits & UInt32(PK_CPU_AVX2) != 0 && bits & UInt32(PK_CPU_FMA) != 0 }
    public var avx512: Bool { bits & UInt32(PK_CPU_AVX512F) != 0 && bits & UInt32(PK_CPU_AVX512BW) != 0 }
    public var avx512VNNI: Bool { avx512 && bits & UInt32(PK_CPU_AVX512VNNI) != 0 }
    public var avx512BF16: Bool { avx512 && bits & UInt32(PK_CPU_AVX512BF16) != 0 }
    public var neon: Bool { bits & UInt32(PK_CPU_NEON) != 0 }
    public var neonDotProd: Bool { bits & UInt32(PK_CPU_NEON_DOTPROD) != 0 }

    /// Names of the features present, for `precis doctor`.
    public var names: [String] {
        var names: [String] = []
        if avx2 { names.append("AVX2+FMA") }
        if avx512 { names.append("AVX-512") }
        if avx512VNNI { names.append("AVX-512 VNNI") }
        if avx512BF16 { names.append("AVX-512 BF16") }
        if neon { names.append("NEON") }
        if neonDotProd { names.append("NEON dotprod") }
        return names
    }
}
