/// Where a population's step stores what STBP's backward needs of each neuron's pre-spike
/// membrane m[t] (spec §10): the value itself, or — for the rectangular surrogate, whose
/// derivative is a window — one byte of `StepCodes`.
public protocol StepRecording {
    func record(_ i: Int, membrane m: Float)
}

/// Records nothing (simulations without a backward through time).
public struct NoRecording: StepRecording {
    public init() {}
    @inline(__always) public func record(_ i: Int, membrane m: Float) {}
}

/// m[t] as a Float.
public struct MembraneRecording: StepRecording {
    let target: UnsafeMutablePointer<Float>
    @inline(__always) public func record(_ i: Int, membrane m: Float) { target[i] = m }
}

/// The spike bit H(m − V_th) and the rectangular surrogate's window bit 1[|m − V_th| < a/2].
public struct CodeRecording: StepRecording {
    let target: UnsafeMutablePointer<UInt8>
    let threshold: Float
    let halfWidth: Float
    @inline(__always) public func record(_ i: Int, membrane m: Float) {
        target[i] = (m >= threshold ? StepCodes.spike : 0) | (abs(m - threshold) < halfWidth ? StepCodes.window : 0)
    }
}

/// Where a population step records, by kind.
public enum RecordingTarget {
    case membranes(MembraneRecording)
    case codes(CodeRecording)
}

/// The bits of a recorded step code.
enum StepCodes {
    static let spike: UInt8 = 1
    static let window: UInt8 = 2
}

/// One recorded step of one layer, as the backward reads it.
public enum StepRecord {
    case membranes(UnsafePointer<Float>)
    case codes(UnsafePointer<UInt8>)
}
