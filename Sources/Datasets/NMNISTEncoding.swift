/// How an N-MNIST event stream becomes input frames of shape [T, 2, 34, 34]: axis 1 is the
/// polarity plane, axis 2 the sensor x, axis 3 the sensor y (the reference's [polarity, x, y, t]
/// layout with time moved to the front, spec §12.8).
public enum NMNISTEncoding: Codable, Hashable, Sendable {
    /// TSSL-BP's preprocessing as the reference uses it (spec §8.4): saccade stabilisation, 3 ms
    /// bins b = ⌈t / 3000 µs⌉, binary. Bins 1…T−1 go to frames 0…T−2 and the last frame stays empty
    /// (the reference behaviour); with `fillLastFrame`, bins 1…T fill all T frames. Events with
    /// t = 0 fall in bin 0, which is never used.
    case tsslbp(timeSteps: Int, fillLastFrame: Bool)
    /// Raw sensor addresses, no stabilisation: frame ⌊t / binWidth⌋ for frames 0…T−1; each frame
    /// element is 1 if any event fell in it (`counts` false) or the number of events (`counts` true).
    case plain(timeSteps: Int, binWidthMicroseconds: Int, counts: Bool)

    /// The reference setting: `tsslbp`, T = 30, last frame empty (spec §7, §8.4).
    public static let reference = NMNISTEncoding.tsslbp(timeSteps: 30, fillLastFrame: false)

    /// Time bin of the TSSL-BP converter, µs (its `time_window = 3000`).
    public static let tsslbpBinWidth = 3000
    /// Saccade duration S of the stabilisation, µs.
    public static let saccadeDuration = 105_000.0

    public var timeSteps: Int {
        switch self {
        case let .tsslbp(timeSteps, _), let .plain(timeSteps, _, _): return timeSteps
        }
    }

    /// [T, 2, 34, 34]
    public var frameShape: [Int] { [timeSteps, 2, NMNISTEvent.sensorSize, NMNISTEvent.sensorSize] }

    public func validate() throws(DatasetError) {
        guard timeSteps >= 1 else { throw .invalidSetting("N-MNIST time steps \(timeSteps) < 1") }
        if case let .plain(_, binWidth, _) = self, binWidth < 1 {
            throw .invalidSetting("N-MNIST bin width \(binWidth) µs < 1")
        }
    }

    /// Flat indices into the [T, 2, 34, 34] frame tensor of the elements the events set, in
    /// ascending order: each index once for binary encodings, once per event for counts.
    /// `events` must be in non-decreasing time order (as `NMNISTEvent.decode` guarantees).
    public func activeElements(of events: [NMNISTEvent]) -> [UInt32] {
        var indices = [UInt32]()
        let side = NMNISTEvent.sensorSize
        func append(frame: Int, _ event: NMNISTEvent, x: Int, y: Int) {
            indices.append(UInt32(((frame * 2 + event.polarity) * side + x) * side + y))
        }
        switch self {
        case let .tsslbp(timeSteps, fillLastFrame):
            let lastBin = fillLastFrame ? timeSteps : timeSteps - 1
            for event in events {
                let bin = (event.timestamp + Self.tsslbpBinWidth - 1) / Self.tsslbpBinWidth
                if bin > lastBin { break }
                guard bin >= 1, let (x, y) = Self.stabilisedAddress(of: event) else { continue }
                append(frame: bin - 1, event, x: x, y: y)
            }
        case let .plain(timeSteps, binWidth, _):
            for event in events {
                let frame = event.timestamp / binWidth
                if frame >= timeSteps { break }
                append(frame: frame, event, x: event.x, y: event.y)
            }
        }
        indices.sort()
        if case .plain(_, _, counts: true) = self { return indices }
        return uniqued(indices)
    }

    /// The event's 0-based address after saccade stabilisation (spec §8.4 step 2), or nil when
    /// the shifted address leaves the sensor. The arithmetic is the converter's: 1-based
    /// coordinates, Float64, rounding halves away from zero (MATLAB `round`).
    public static func stabilisedAddress(of event: NMNISTEvent) -> (x: Int, y: Int)? {
        let s = saccadeDuration
        let t = Double(event.timestamp)
        var x = Double(event.x + 1), y = Double(event.y + 1)
        if t <= s {
            x = x - 3.5 * t / s
            y = y - 7 * t / s
        } else if t <= 2 * s {
            x = x - 3.5 - 3.5 * (t - s) / s
            y = y - 7 + 7 * (t - s) / s
        } else {
            x = x - 7 + 7 * (t - 2 * s) / s
        }
        let column = Int(x.rounded(.toNearestOrAwayFromZero)), row = Int(y.rounded(.toNearestOrAwayFromZero))
        guard (1...NMNISTEvent.sensorSize).contains(column), (1...NMNISTEvent.sensorSize).contains(row) else { return nil }
        return (column - 1, row - 1)
    }
}

/// The distinct values of a sorted array.
private func uniqued(_ sorted: [UInt32]) -> [UInt32] {
    var result = [UInt32]()
    result.reserveCapacity(sorted.count)
    for value in sorted where result.last != value { result.append(value) }
    return result
}
