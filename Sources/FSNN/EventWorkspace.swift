import Tensor

/// One worker's buffers for a layer's event-driven products: the events of one sample (its
/// non-zero input elements) bucketed by pixel or listed by channel, the terms of one output pixel,
/// a tile of output pixels, channels-last rows and the worker's weight-gradient sum. Each buffer
/// grows at its first use for a larger layer and is reused after that (no allocation per sample).
final class EventWorkspace {
    private var floats: [Role: Tensor] = [:]
    private var integers: [Role: UnsafeMutableBufferPointer<Int32>] = [:]

    private enum Role { case eventValues, eventOffsets, eventCounts, termStarts, termValues, terms, tile, rows, gradient }

    deinit {
        for buffer in integers.values { buffer.deallocate() }
    }

    /// `count` floats of the buffer for `role`.
    private func floats(_ role: Role, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let buffer = floats[role], buffer.count >= count { return buffer.pointer }
        let buffer = Tensor(zeros: [max(count, 1)])
        floats[role] = buffer
        return buffer.pointer
    }

    /// `count` integers of the buffer for `role`.
    private func integers(_ role: Role, _ count: Int) -> UnsafeMutablePointer<Int32> {
        if let buffer = integers[role], buffer.count >= count { return buffer.baseAddress! }
        integers[role]?.deallocate()
        let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
        integers[role] = buffer
        return buffer.baseAddress!
    }

    /// A tile of up to 8 output pixels, channels-last: [8, channels].
    func tile(channels: Int) -> UnsafeMutablePointer<Float> { floats(.tile, 8 * channels) }

    /// Channels-last rows [pixels, channels].
    func rows(_ count: Int) -> UnsafeMutablePointer<Float> { floats(.rows, count) }

    /// The worker's weight-gradient sum.
    func weightGradient(count: Int) -> UnsafeMutablePointer<Float> { floats(.gradient, count) }

    /// Room for `count` terms of one sample's output pixels.
    func terms(_ count: Int, pixels: Int) -> Terms {
        Terms(start: integers(.termStarts, pixels + 1), offsets: integers(.terms, count), values: floats(.termValues, count))
    }

    /// The events of one NCHW sample x [channels, pixels], bucketed by pixel in channel order,
    /// each stored as `channel · stride`: with `stride` taps, its channel's first row of an
    /// input-major weight [channel, tap, :].
    func eventsByPixel(_ x: UnsafePointer<Float>, channels: Int, pixels: Int, stride: Int, keepsValues: Bool)
        -> PixelEvents {
        let counts = integers(.eventCounts, pixels), offsets = integers(.eventOffsets, pixels * channels)
        let values = floats(.eventValues, pixels * channels)
        counts.update(repeating: 0, count: pixels)
        for c in 0..<channels {
            Self.forEachNonZero(in: x + c * pixels, pixels: pixels) { q, value in
                let slot = q * channels + Int(counts[q])
                offsets[slot] = Int32(c * stride)
                if keepsValues { values[slot] = value }
                counts[q] += 1
            }
        }
        return PixelEvents(counts: counts, offsets: offsets, values: values, capacity: channels)
    }

    /// The events of `samples` consecutive NCHW samples x [samples, channels, pixels], listed by
    /// sample, then channel, in pixel order.
    func eventsByChannel(_ x: UnsafePointer<Float>, samples: Int, channels: Int, pixels: Int, keepsValues: Bool)
        -> ChannelEvents {
        let size = channels * pixels
        let start = integers(.eventCounts, samples * (channels + 1))
        let pixelOf = integers(.eventOffsets, samples * size), values = floats(.eventValues, samples * size)
        var count = 0
        for g in 0..<samples {
            let sampleStart = start + g * (channels + 1)
            sampleStart[0] = Int32(count)
            for c in 0..<channels {
                Self.forEachNonZero(in: x + g * size + c * pixels, pixels: pixels) { q, value in
                    pixelOf[count] = Int32(q)
                    if keepsValues { values[count] = value }
                    count += 1
                }
                sampleStart[c + 1] = Int32(count)
            }
        }
        return ChannelEvents(start: start, channels: channels, pixels: pixelOf, values: values)
    }

    /// Calls `body(pixel, value)` for the non-zero entries of one plane, pixels ascending, skipping
    /// zero runs of 8.
    @inline(__always)
    private static func forEachNonZero(in plane: UnsafePointer<Float>, pixels: Int, _ body: (Int, Float) -> Void) {
        var q = 0
        while q < pixels {
            // `any(_ .!= _)` is one vector comparison; SIMD8's `==` compares lane by lane.
            if q + 8 <= pixels, !any((plane + q).vector(SIMD8<Float>.self) .!= 0) {
                q += 8
                continue
            }
            for i in q..<min(q + 8, pixels) where plane[i] != 0 { body(i, plane[i]) }
            q += 8
        }
    }
}

/// Per pixel q: `counts[q]` events, their weight offsets at `offsets[q·capacity…]` and (real-valued
/// operands) their values at `values[q·capacity…]`.
struct PixelEvents {
    let counts: UnsafeMutablePointer<Int32>
    let offsets: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
    let capacity: Int
}

/// Per output pixel p: the terms `start[p]..<start[p + 1]`, each a weight row's offset and a value.
struct Terms {
    let start: UnsafeMutablePointer<Int32>
    let offsets: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
}

/// Per sample g and channel c: the events `start[g · (channels + 1) + c]..<start[g · (channels + 1) + c + 1]`,
/// at pixels `pixels[i]` with values `values[i]`.
struct ChannelEvents {
    let start: UnsafeMutablePointer<Int32>
    let channels: Int
    let pixels: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
}
