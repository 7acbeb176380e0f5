import Tensor

/// One worker's buffers for a layer's event-driven products: the events of one sample (its
/// non-zero input elements) bucketed by pixel or listed by channel, the terms of a chunk of output pixels,
/// a tile of output pixels, channels-last rows and the worker's weight-gradient sum. Each buffer
/// grows at its first use for a larger layer and is reused after that (no allocation per sample).
final class EventWorkspace {
    /// The buffers by role (arrays, not dictionaries: a fully connected layer's product asks for
    /// seven buffers per sample of a microsecond's work).
    private var floats = [Tensor?](repeating: nil, count: Role.allCases.count)
    private var integers = [UnsafeMutableBufferPointer<Int32>?](repeating: nil, count: Role.allCases.count)

    private enum Role: Int, CaseIterable {
        case eventValues, eventOffsets, eventCounts, termStarts, termValues, terms, tile, rows, gradient
    }

    deinit {
        for buffer in integers { buffer?.deallocate() }
    }

    /// `count` floats of the buffer for `role`.
    private func floats(_ role: Role, _ count: Int) -> UnsafeMutablePointer<Float> {
        if let buffer = floats[role.rawValue], buffer.count >= count { return buffer.pointer }
        let buffer = Tensor(zeros: [max(count, 1)])
        floats[role.rawValue] = buffer
        return buffer.pointer
    }

    /// `count` integers of the buffer for `role`.
    private func integers(_ role: Role, _ count: Int) -> UnsafeMutablePointer<Int32> {
        if let buffer = integers[role.rawValue], buffer.count >= count { return buffer.baseAddress! }
        integers[role.rawValue]?.deallocate()
        let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(count, 1))
        integers[role.rawValue] = buffer
        return buffer.baseAddress!
    }

    /// A tile of up to 8 output pixels, channels-last: [8, channels].
    func tile(channels: Int) -> UnsafeMutablePointer<Float> { floats(.tile, 8 * channels) }

    /// Channels-last rows [pixels, channels].
    func rows(_ count: Int) -> UnsafeMutablePointer<Float> { floats(.rows, count) }

    /// The worker's weight-gradient sum.
    func weightGradient(count: Int) -> UnsafeMutablePointer<Float> { floats(.gradient, count) }

    /// Room for `count` terms of a chunk of one sample's output pixels (`start` indexed by pixel).
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
        Self.forEachNonZero(in: x, channels: channels, pixels: pixels) { c, q, value in
            let slot = q * channels + Int(counts[q])
            offsets[slot] = Int32(c * stride)
            if keepsValues { values[slot] = value }
            counts[q] += 1
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
            // Channels 0...started have their start; a channel's start is the count at its first event.
            let sampleStart = start + g * (channels + 1)
            var started = 0
            sampleStart[0] = Int32(count)
            Self.forEachNonZero(in: x + g * size, channels: channels, pixels: pixels) { c, q, value in
                while started < c {
                    started += 1
                    sampleStart[started] = Int32(count)
                }
                pixelOf[count] = Int32(q)
                if keepsValues { values[count] = value }
                count += 1
            }
            while started < channels {
                started += 1
                sampleStart[started] = Int32(count)
            }
        }
        return ChannelEvents(start: start, channels: channels, pixels: pixelOf, values: values)
    }

    /// Calls `body(channel, pixel, value)` for the non-zero entries of one NCHW sample
    /// x [channels, pixels] in memory order, skipping zero runs of 8 across the planes (a fully
    /// connected layer's planes are one pixel each).
    @inline(__always)
    private static func forEachNonZero(in x: UnsafePointer<Float>, channels: Int, pixels: Int,
                                       _ body: (Int, Int, Float) -> Void) {
        let count = channels * pixels
        var i = 0, channel = 0, planeStart = 0
        while i < count {
            // `any(_ .!= _)` is one vector comparison; SIMD8's `==` compares lane by lane.
            if i + 8 <= count, !any((x + i).vector(SIMD8<Float>.self) .!= 0) {
                i += 8
                continue
            }
            for j in i..<min(i + 8, count) where x[j] != 0 {
                while j >= planeStart + pixels {
                    channel += 1
                    planeStart += pixels
                }
                body(channel, j - planeStart, x[j])
            }
            i += 8
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

extension PixelEvents {
    /// The mean count of events at the pixels that have any, of `pixels` input pixels.
    func perActivePixel(_ pixels: Int) -> Float {
        var events = 0, active = 0
        for q in 0..<pixels {
            events += Int(counts[q])
            active += counts[q] > 0 ? 1 : 0
        }
        return active > 0 ? Float(events) / Float(active) : 0
    }
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
