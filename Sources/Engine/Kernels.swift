import CKernels

/// One instruction-set path of the kernels ("scalar", "avx2", "avx512", "neon"), usable side by side with the
/// process-wide one (wraps `pk_kernels_named`).
package struct KernelPath: @unchecked Sendable, CustomStringConvertible {
    // Sendable: the table is immutable static data inside CKernels.
    let table: OpaquePointer

    /// The path called `name`, or nil when this CPU or build cannot run it.
    package init?(named name: String) {
        guard let table = pk_kernels_named(name) else { return nil }
        self.table = table
    }

    package var name: String { String(cString: pk_kernels_name(table)) }
    package var description: String { name }

    /// Every path this CPU and build can run, the scalar reference first.
    package static var available: [KernelPath] {
        ["scalar", "avx2", "avx512", "neon"].compactMap { KernelPath(named: $0) }
    }
}

/// The quantized tensor kernels of CKernels (`pk_quants.h`), seen from Swift: the path in use, and value-level
/// helpers for tests and tools. The forward pass calls the C functions directly on mapped weights.
package enum Kernels {
    /// The instruction-set path in use: "scalar", "avx2", "avx512" or "neon" (wraps `pk_kernel_path`).
    package static var path: String { String(cString: pk_kernel_path()) }

    /// Forces the process-wide path (wraps `pk_force_kernel_path`); false when this CPU or build cannot run it.
    @discardableResult
    package static func forcePath(_ name: String) -> Bool { pk_force_kernel_path(name) == 0 }

    /// Whether the kernels can multiply weights of `type` (wraps `pk_supports`).
    package static func supports(_ type: GGMLType) -> Bool { pk_supports(pk_type(type.rawValue)) != 0 }

    /// The type activations are converted to for weights of `type` (wraps `pk_vec_dot_type`).
    package static func vecDotType(_ type: GGMLType) -> GGMLType {
        GGMLType(rawValue: pk_vec_dot_type(pk_type(type.rawValue)).rawValue) ?? type
    }

    /// Bytes of a row of `count` elements of `type` (wraps `pk_row_bytes`).
    package static func rowBytes(_ type: GGMLType, count: Int) -> Int {
        Int(pk_row_bytes(pk_type(type.rawValue), Int64(count)))
    }

    /// Dequantizes one row of `count` elements (wraps `pk_dequantize_row`).
    package static func dequantize(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
        precondition(bytes.count >= rowBytes(type, count: count), "row too short")
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            bytes.withUnsafeBytes { src in
                pk_dequantize_row(pk_type(type.rawValue), src.baseAddress, out.baseAddress, Int64(count))
            }
            initialized = count
        }
    }

    /// Converts an activation row into the vec-dot type of `weightType` (wraps `pk_quantize_activations[_with]`).
    package static func convertActivations(for weightType: GGMLType, _ x: [Float], on path: KernelPath? = nil) -> [UInt8] {
        let size = rowBytes(vecDotType(weightType), count: x.count)
        return [UInt8](unsafeUninitializedCapacity: size) { out, initialized in
            x.withUnsafeBufferPointer { src in
                let t = pk_type(weightType.rawValue)
                if let path {
                    pk_quantize_activations_with(path.table, t, src.baseAddress, out.baseAddress, Int64(x.count))
                } else {
                    pk_quantize_activations(t, src.baseAddress, out.baseAddress, Int64(x.count))
                }
            }
            initialized = size
        }
    }

    /// dot(weight row, converted activation row) of `count` elements (wraps `pk_vec_dot[_with]`).
    package static func dot(_ type: GGMLType, weights: [UInt8], activations: [UInt8], count: Int,
                            on path: KernelPath? = nil) -> Float {
        precondition(weights.count >= rowBytes(type, count: count), "weight row too short")
        precondition(activations.count >= rowBytes(vecDotType(type), count: count), "activation row too short")
        return weights.withUnsafeBytes { w in
            activations.withUnsafeBytes { x in
                let t = pk_type(type.rawValue)
                return if let path {
                    pk_vec_dot_with(path.table, t, w.baseAddress, x.baseAddress, Int64(count))
                } else {
                    pk_vec_dot(t, w.baseAddress, x.baseAddress, Int64(count))
                }
            }
        }
    }

    /// y[i - rowRange.lowerBound] = W row i · x for i in `rowRange` (wraps `pk_matvec[_with]`).
    package static func matvec(_ type: GGMLType, weights: [UInt8], rows rowRange: Range<Int>, activations: [UInt8],
                               count: Int, on path: KernelPath? = nil) -> [Float] {
        precondition(weights.count >= rowBytes(type, count: count) * rowRange.upperBound, "weights too short")
        precondition(activations.count >= rowBytes(vecDotType(type), count: count), "activation row too short")
        return [Float](unsafeUninitializedCapacity: rowRange.count) { out, initialized in
            weights.withUnsafeBytes { w in
                activations.withUnsafeBytes { x in
                    let t = pk_type(type.rawValue)
                    let (r0, r1) = (Int64(rowRange.lowerBound), Int64(rowRange.upperBound))
                    if let path {
                        pk_matvec_with(path.table, t, w.baseAddress, x.baseAddress, out.baseAddress, Int64(count), r0, r1)
                    } else {
                        pk_matvec(t, w.baseAddress, x.baseAddress, out.baseAddress, Int64(count), r0, r1)
                    }
                }
            }
            initialized = rowRange.count
        }
    }

    /// Y[b * rows + i] = W row i · activation row b for i in `rowRange` of a `rows`-row matrix and a batch of
    /// converted rows laid end to end; entries outside `rowRange` stay 0 (wraps `pk_matmul[_with]`).
    package static func matmul(_ type: GGMLType, weights: [UInt8], rows: Int, rowRange: Range<Int>? = nil,
                               activations: [UInt8], batch: Int, count: Int, on path: KernelPath? = nil) -> [Float] {
        let range = rowRange ?? 0..<rows
        let stride = rowBytes(vecDotType(type), count: count)
        precondition(weights.count >= rowBytes(type, count: count) * rows, "weights too short")
        precondition(activations.count >= stride * batch, "activation batch too short")
        var y = [Float](repeating: 0, count: rows * batch)
        y.withUnsafeMutableBufferPointer { out in
            weights.withUnsafeBytes { w in
                activations.withUnsafeBytes { x in
                    let t = pk_type(type.rawValue)
                    let (r0, r1) = (Int64(range.lowerBound), Int64(range.upperBound))
                    if let path {
                        pk_matmul_with(path.table, t, w.baseAddress, x.baseAddress, stride, out.baseAddress, rows,
                                       Int64(count), Int64(batch), r0, r1)
                    } else {
                        pk_matmul(t, w.baseAddress, x.baseAddress, stride, out.baseAddress, rows, Int64(count),
                                  Int64(batch), r0, r1)
                    }
                }
            }
        }
        return y
    }
}

// MARK: - Pointer-level operations on one path (benchmarks; the forward pass calls CKernels directly)

extension KernelPath {
    /// Converts `count` floats into the vec-dot type of `type` (wraps `pk_quantize_activations_with`).
    package func convertActivations(_ type: GGMLType, _ x: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer,
                                    count: Int) {
        pk_quantize_activations_with(table, pk_type(type.rawValue), x, dst, Int64(count))
    }

    /// y[i - rows.lowerBound] = W row i · x for i in `rows` (wraps `pk_matvec_with`).
    package func matvec(_ type: GGMLType, weights: UnsafeRawPointer, activations: UnsafeRawPointer,
                        into y: UnsafeMutablePointer<Float>, count: Int, rows: Range<Int>) {
        pk_matvec_with(table, pk_type(type.rawValue), weights, activations, y, Int64(count),
                       Int64(rows.lowerBound), Int64(rows.upperBound))
    }

    /// Y[b * yStride + i] = W row i · activation row b for i in `rows`, b < batch (wraps `pk_matmul_with`).
    package func matmul(_ type: GGMLType, weights: UnsafeRawPointer, activations: UnsafeRawPointer,
                        activationStride: Int, into y: UnsafeMutablePointer<Float>, yStride: Int, count: Int,
                        batch: Int, rows: Range<Int>) {
        pk_matmul_with(table, pk_type(type.rawValue), weights, activations, activationStride, y, yStride,
                       Int64(count), Int64(batch), Int64(rows.lowerBound), Int64(rows.upperBound))
    }
}
