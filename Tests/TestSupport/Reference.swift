import Foundation

/// Naive Float64 building blocks for the oracles. Arrays are row-major; images NCHW, conv
/// weights OIHW, conv-transpose weights IOHW (PyTorch layouts).
public enum Reference {
    /// y[n, o] = Σ_i w[o, i] x[n, i] (+ b[o])
    public static func linear(_ x: [Double], _ w: [Double], _ b: [Double]?, batch: Int, inputs: Int, outputs: Int) -> [Double] {
        (0..<batch * outputs).map { index in
            let n = index / outputs, o = index % outputs
            return (0..<inputs).reduce(b?[o] ?? 0) { $0 + w[o * inputs + $1] * x[n * inputs + $1] }
        }
    }

    public struct Conv {
        public let inChannels, outChannels, size, kernel, stride, padding: Int
        public var outSize: Int { (size + 2 * padding - kernel) / stride + 1 }

        public init(inChannels: Int, outChannels: Int, size: Int, kernel: Int, stride: Int, padding: Int) {
            (self.inChannels, self.outChannels, self.size) = (inChannels, outChannels, size)
            (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
        }

        /// y[n, o, oy, ox] = b[o] + Σ w[o, c, ky, kx] x[n, c, oy·s − p + ky, ox·s − p + kx]
        public func forward(_ x: [Double], _ w: [Double], _ b: [Double]?, batch: Int) -> [Double] {
            var y = [Double](repeating: 0, count: batch * outChannels * outSize * outSize)
            for n in 0..<batch { for o in 0..<outChannels { for oy in 0..<outSize { for ox in 0..<outSize {
                var sum = b?[o] ?? 0
                for c in 0..<inChannels { for ky in 0..<kernel { for kx in 0..<kernel {
                    let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                    guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                    sum += w[((o * inChannels + c) * kernel + ky) * kernel + kx] * x[((n * inChannels + c) * size + iy) * size + ix]
                } } }
                y[((n * outChannels + o) * outSize + oy) * outSize + ox] = sum
            } } } }
            return y
        }

        /// The transposed convolution with an IOHW weight [outChannels, inChannels, k, k] (this
        /// geometry's output channels are its input): maps [N, outChannels, outSize²] to
        /// [N, inChannels, size²].
        public func transposed(_ y: [Double], _ w: [Double], batch: Int) -> [Double] {
            var x = [Double](repeating: 0, count: batch * inChannels * size * size)
            for n in 0..<batch { for o in 0..<outChannels { for oy in 0..<outSize { for ox in 0..<outSize {
                let value = y[((n * outChannels + o) * outSize + oy) * outSize + ox]
                for c in 0..<inChannels { for ky in 0..<kernel { for kx in 0..<kernel {
                    let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                    guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                    x[((n * inChannels + c) * size + iy) * size + ix] += w[((o * inChannels + c) * kernel + ky) * kernel + kx] * value
                } } }
            } } } }
            return x
        }
    }

    /// Train-mode BN over [N, C, L] (L = 1 for 1-d): returns the output, batch means and biased variances.
    public static func batchNorm(_ z: [Double], gamma: [Double], beta: [Double], batch: Int, channels: Int, length: Int,
                          epsilon: Double = 1e-5) -> (y: [Double], mean: [Double], variance: [Double]) {
        var y = z, means = [Double](), variances = [Double]()
        let m = Double(batch * length)
        for c in 0..<channels {
            let indices = (0..<batch).flatMap { n in (0..<length).map { (n * channels + c) * length + $0 } }
            let mean = indices.reduce(0) { $0 + z[$1] } / m
            let variance = indices.reduce(0) { $0 + (z[$1] - mean) * (z[$1] - mean) } / m
            for i in indices { y[i] = gamma[c] * (z[i] - mean) / (variance + epsilon).squareRoot() + beta[c] }
            means.append(mean)
            variances.append(variance)
        }
        return (y, means, variances)
    }

    /// Eval-mode BN with given statistics.
    public static func batchNormEval(_ z: [Double], gamma: [Double], beta: [Double], mean: [Double], variance: [Double],
                              channels: Int, length: Int, epsilon: Double = 1e-5) -> [Double] {
        z.indices.map { i in
            let c = (i / length) % channels
            return gamma[c] * (z[i] - mean[c]) / (variance[c] + epsilon).squareRoot() + beta[c]
        }
    }

    public static func clamp01(_ x: Double) -> Double { min(max(x, 0), 1) }

    /// ∂L/∂logits and ∂L/∂(classifier input) for mean softmax cross-entropy with a linear classifier.
    public static func classifierGradients(rate: [Double], weight: [Double], bias: [Double], labels: [Int], features: Int,
                                    classes: Int) -> (weight: [Double], bias: [Double], rate: [Double]) {
        let batch = labels.count
        let logits = linear(rate, weight, bias, batch: batch, inputs: features, outputs: classes)
        var g = [Double](repeating: 0, count: batch * classes)
        for n in 0..<batch {
            let row = logits[(n * classes)..<((n + 1) * classes)]
            let maximum = row.max()!
            let total = row.reduce(0) { $0 + exp($1 - maximum) }
            for k in 0..<classes {
                g[n * classes + k] = (exp(logits[n * classes + k] - maximum) / total - (labels[n] == k ? 1 : 0)) / Double(batch)
            }
        }
        var dw = [Double](repeating: 0, count: classes * features), db = [Double](repeating: 0, count: classes)
        var da = [Double](repeating: 0, count: batch * features)
        for n in 0..<batch { for k in 0..<classes {
            db[k] += g[n * classes + k]
            for i in 0..<features {
                dw[k * features + i] += g[n * classes + k] * rate[n * features + i]
                da[n * features + i] += g[n * classes + k] * weight[k * features + i]
            }
        } }
        return (dw, db, da)
    }

    /// Central differences of a scalar function of many parameters (step h, Float64).
    public static func gradient(of function: ([Double]) -> Double, at point: [Double], step h: Double = 1e-6) -> [Double] {
        point.indices.map { i in
            var plus = point, minus = point
            plus[i] += h
            minus[i] -= h
            return (function(plus) - function(minus)) / (2 * h)
        }
    }

    /// Jacobian ∂f/∂x (rows: outputs) by central differences.
    public static func jacobian(of function: ([Double]) -> [Double], at point: [Double], step h: Double = 1e-6) -> [[Double]] {
        let columns = point.indices.map { i -> [Double] in
            var plus = point, minus = point
            plus[i] += h
            minus[i] -= h
            return zip(function(plus), function(minus)).map { ($0 - $1) / (2 * h) }
        }
        return columns[0].indices.map { r in columns.map { $0[r] } }
    }

    /// β = (I − J)⁻ᵀ g for one sample.
    public static func adjoint(jacobian j: [[Double]], rhs g: [Double]) -> [Double] {
        let d = g.count
        // (I − J)ᵀ[r][c] = δ − J[c][r]
        let matrix = (0..<d * d).map { idx -> Double in
            let r = idx / d, c = idx % d
            return (r == c ? 1 : 0) - j[c][r]
        }
        return Dense.solve(matrix, g)
    }
}

