import CKernels

// Parallel work of the forward pass as a plain struct run by a C entry point on the context's thread pool
// (`ThreadPool.run`): no closure context, so a decoded token allocates nothing (AttentionJob is the other one).

/// Rows [begin, end) of up to three matrices that read the same converted input, their rows numbered one after
/// the other (Q then K then V; gate then up).
struct ProjectionJob {
    struct Part {
        var type: pk_type
        var weights: UnsafeRawPointer
        var rows: Int
        var columns: Int
        var output: UnsafeMutablePointer<Float>
        var offset: Int  // first row of this matrix in the combined numbering
    }

    var parts: (Part, Part, Part)
    var partCount: Int
    var totalRows: Int
    var count: Int  // input rows (batch)
    var activations: UnsafeRawPointer
    var stride: Int  // bytes between converted input rows

    init(_ a: Llama.Projection, _ b: Llama.Projection?, _ c: Llama.Projection?, count: Int,
         activations: UnsafeRawPointer, stride: Int) {
        func part(_ p: Llama.Projection, _ offset: Int) -> Part {
            Part(type: p.matrix.kernelType, weights: p.matrix.base, rows: p.matrix.rows, columns: p.matrix.columns,
                 output: p.output, offset: offset)
        }
        let pa = part(a, 0)
        let pb = b.map { part($0, pa.rows) } ?? pa
        let pc = c.map { part($0, pa.rows + pb.rows) } ?? pa
        partCount = c != nil ? 3 : b != nil ? 2 : 1
        parts = (pa, pb, pc)
        totalRows = a.matrix.rows + (b?.matrix.rows ?? 0) + (c?.matrix.rows ?? 0)
        self.count = count
        self.activations = activations
        self.stride = stride
    }

    static let entry: pk_pool_fn = { ctx, begin, end, _ in
        let job = ctx!.assumingMemoryBound(to: ProjectionJob.self)
        let range = Int(begin)..<Int(end)
        job.pointee.run(job.pointee.parts.0, range)
        if job.pointee.partCount > 1 { job.pointee.run(job.pointee.parts.1, range) }
        if job.pointee.partCount > 2 { job.pointee.run(job.pointee.parts.2, range) }
    }

    @inline(__always)
    private func run(_ p: Part, _ range: Range<Int>) {
        let rows = range.clamped(to: p.offset..<(p.offset + p.rows))
        guard !rows.isEmpty else { return }
        let lo = Int64(rows.lowerBound - p.offset), hi = Int64(rows.upperBound - p.offset)
        if count == 1 {
            pk_matvec(p.type, p.weights, activations, p.output + Int(lo), Int64(p.columns), lo, hi)
        } else {
            pk_matmul(p.type, p.weights, activations, stride, p.output, p.rows, Int64(p.columns), Int64(count), lo, hi)
        }
    }
}
