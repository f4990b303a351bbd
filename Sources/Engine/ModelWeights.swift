import CKernels

/// A weight matrix used in place from the mapped file: `rows` rows of `columns` elements of `type`, row-major,
/// rows `rowBytes` apart (ggml shape `[columns, rows]`).
///
/// `@unchecked Sendable`: `base` points into the read-only mapping, which outlives every `WeightMatrix` (the
/// `Model` holds the `GGUFFile`), so reading it from several threads at once is safe.
public struct WeightMatrix: @unchecked Sendable {
    public let name: String
    public let type: GGMLType
    public let rows: Int
    public let columns: Int
    public let rowBytes: Int
    /// Points into the read-only mapping owned by the model's `GGUFFile`.
    let base: UnsafeRawPointer

    /// The kernels' name of `type`.
    var kernelType: pk_type { pk_type(rawValue: type.rawValue) }
}

/// The tensors of one transformer block.
public struct LayerWeights: Sendable {
    public let attentionNorm: [Float]        // [nEmbd]
    public let query: WeightMatrix           // [nHeads·headDim rows, nEmbd columns]
    public let key: WeightMatrix             // [nKV·headDim, nEmbd]
    public let value: WeightMatrix           // [nKV·headDim, nEmbd]
    public let queryBias: [Float]?           // [nHeads·headDim] (qwen2)
    public let keyBias: [Float]?             // [nKV·headDim]
    public let valueBias: [Float]?           // [nKV·headDim]
    public let attentionOutput: WeightMatrix // [nEmbd, nHeads·headDim]
    public let feedForwardNorm: [Float]      // [nEmbd]
    public let gate: WeightMatrix            // [nFF, nEmbd]
    public let up: WeightMatrix              // [nFF, nEmbd]
    public let down: WeightMatrix            // [nEmbd, nFF]
}

/// Every tensor the forward pass reads, bound to the mapping with its shape checked.
public struct ModelWeights: Sendable {
    public let tokenEmbedding: WeightMatrix  // [vocab rows, nEmbd columns]
    public let layers: [LayerWeights]
    public let outputNorm: [Float]           // [nEmbd]
    /// The output projection: `output.weight`, or the token embedding when tied.
    public let output: WeightMatrix          // [vocab, nEmbd]
    public let outputIsTied: Bool
    /// Llama 3 RoPE frequency factors (`rope_freqs.weight`), one per rotated pair.
    public let ropeFrequencyFactors: [Float]?

    init(gguf: GGUFFile, config c: ModelConfig) throws(EngineError) {
        let binder = TensorBinder(gguf: gguf)
        let hasOutput = gguf.tensor(named: "output.weight") != nil
        // Only dequantized row by row, unless it is the output projection too.
        tokenEmbedding = try binder.matrix("token_embd.weight", rows: c.vocabularySize, columns: c.embeddingLength,
                                           multiplied: !hasOutput)
        var layers: [LayerWeights] = []
        layers.reserveCapacity(c.layerCount)
        for i in 0..<c.layerCount {
            let p = "blk.\(i)."
            layers.append(LayerWeights(
                attentionNorm: try binder.vector(p + "attn_norm.weight", count: c.embeddingLength),
                query: try binder.matrix(p + "attn_q.weight", rows: c.queryWidth, columns: c.embeddingLength),
                key: try binder.matrix(p + "attn_k.weight", rows: c.kvWidth, columns: c.embeddingLength),
                value: try binder.matrix(p + "attn_v.weight", rows: c.kvWidth, columns: c.embeddingLength),
                queryBias: c.hasQKVBias ? try binder.vector(p + "attn_q.bias", count: c.queryWidth) : nil,
                keyBias: c.hasQKVBias ? try binder.vector(p + "attn_k.bias", count: c.kvWidth) : nil,
                valueBias: c.hasQKVBias ? try binder.vector(p + "attn_v.bias", count: c.kvWidth) : nil,
                attentionOutput: try binder.matrix(p + "attn_output.weight", rows: c.embeddingLength, columns: c.queryWidth),
                feedForwardNorm: try binder.vector(p + "ffn_norm.weight", count: c.embeddingLength),
                gate: try binder.matrix(p + "ffn_gate.weight", rows: c.feedForwardLength, columns: c.embeddingLength),
                up: try binder.matrix(p + "ffn_up.weight", rows: c.feedForwardLength, columns: c.embeddingLength),
                down: try binder.matrix(p + "ffn_down.weight", rows: c.embeddingLength, columns: c.feedForwardLength)))
        }
        self.layers = layers
        outputNorm = try binder.vector("output_norm.weight", count: c.embeddingLength)
        if hasOutput {
            output = try binder.matrix("output.weight", rows: c.vocabularySize, columns: c.embeddingLength)
            outputIsTied = false
        } else {
            output = tokenEmbedding
            outputIsTied = true
        }
        if gguf.tensor(named: "rope_freqs.weight") != nil {
            ropeFrequencyFactors = try binder.vector("rope_freqs.weight", count: c.ropeDimensions / 2)
        } else {
            ropeFrequencyFactors = nil
        }
    }
}

/// Finds tensors by name and checks their shapes and types.
private struct TensorBinder {
    let gguf: GGUFFile

    private func info(_ name: String) throws(EngineError) -> GGUFTensorInfo {
        guard let info = gguf.tensor(named: name) else {
            throw .missingTensor(path: gguf.path, name: name, reason: "is missing")
        }
        guard pk_block_bytes(pk_type(rawValue: info.type.rawValue)) != 0 else {
            throw .unsupportedTensorType(path: gguf.path, tensor: name, type: info.type.rawValue)
        }
        return info
    }

    /// A matrix of ggml shape `[columns, rows]`, used in place. One that is `multiplied` must be of a type the
    /// matrix kernels have a product for (`pk_supports`): for the others (Q8_1, Q8_K) they would write nothing.
    func matrix(_ name: String, rows: Int, columns: Int, multiplied: Bool = true) throws(EngineError) -> WeightMatrix {
        let info = try info(name)
        guard !multiplied || Kernels.supports(info.type) else {
            throw .unsupportedTensorType(path: gguf.path, tensor: name, type: info.type.rawValue)
        }
        let shape = info.shape.count == 1 ? info.shape + [1] : info.shape
        guard shape.count == 2, shape[0] == columns, shape[1] == rows else {
            throw .missingTensor(path: gguf.path, name: name,
                                 reason: "has shape \(info.shape), expected [\(columns), \(rows)]")
        }
        let data = gguf.data(of: info)
        return WeightMatrix(name: name, type: info.type, rows: rows, columns: columns,
                            rowBytes: info.byteCount / rows, base: data.baseAddress!)
    }

    /// A vector of `count` elements, converted to floats once at load (norms and biases are small).
    func vector(_ name: String, count: Int) throws(EngineError) -> [Float] {
        let info = try info(name)
        guard info.elementCount == count, info.shape[0] == count else {
            throw .missingTensor(path: gguf.path, name: name, reason: "has shape \(info.shape), expected [\(count)]")
        }
        let data = gguf.data(of: info)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            pk_dequantize_row(pk_type(rawValue: info.type.rawValue), data.baseAddress!, buffer.baseAddress!, Int64(count))
            initialized = count
        }
    }
}
