/// Matrix transposition between the event-driven products' channels-last rows [pixels, channels]
/// and NCHW planes [channels, pixels], in 8 × 8 tiles held in eight AVX registers.
enum TileTransposition {
    /// target[j · targetStride + i] = source[i · sourceStride + j] for i < rows, j < columns: 8 × 8
    /// tiles through registers, the ragged edges element by element.
    static func transpose(_ source: UnsafePointer<Float>, rows: Int, columns: Int, sourceStride: Int,
                          into target: UnsafeMutablePointer<Float>, targetStride: Int) {
        let fullRows = rows - rows % 8, fullColumns = columns - columns % 8
        var i = 0
        while i < fullRows {
            var j = 0
            while j < fullColumns {
                transposeTile(source + i * sourceStride + j, sourceStride, into: target + j * targetStride + i, targetStride)
                j += 8
            }
            for j in fullColumns..<columns {
                for r in i..<i + 8 { target[j * targetStride + r] = source[r * sourceStride + j] }
            }
            i += 8
        }
        for r in fullRows..<rows {
            for j in 0..<columns { target[j * targetStride + r] = source[r * sourceStride + j] }
        }
    }

    /// One 8 × 8 tile: three rounds of the perfect unshuffle of its 64 elements (row-major), each a
    /// pair of even/odd selections per register pair, move element (i, j) to (j, i).
    @inline(__always)
    private static func transposeTile(_ source: UnsafePointer<Float>, _ sourceStride: Int,
                                      into target: UnsafeMutablePointer<Float>, _ targetStride: Int) {
        func row(_ i: Int) -> SIMD8<Float> { (source + i * sourceStride).vector() }
        var r = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        for _ in 0..<3 {
            let p0 = SIMD16(lowHalf: r.0, highHalf: r.1), p1 = SIMD16(lowHalf: r.2, highHalf: r.3)
            let p2 = SIMD16(lowHalf: r.4, highHalf: r.5), p3 = SIMD16(lowHalf: r.6, highHalf: r.7)
            r = (p0.evenHalf, p1.evenHalf, p2.evenHalf, p3.evenHalf, p0.oddHalf, p1.oddHalf, p2.oddHalf, p3.oddHalf)
        }
        target.store(r.0)
        (target + targetStride).store(r.1)
        (target + 2 * targetStride).store(r.2)
        (target + 3 * targetStride).store(r.3)
        (target + 4 * targetStride).store(r.4)
        (target + 5 * targetStride).store(r.5)
        (target + 6 * targetStride).store(r.6)
        (target + 7 * targetStride).store(r.7)
    }
}
