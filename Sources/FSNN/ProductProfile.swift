import Synchronization
import Tensor

/// An opt-in record of where the layers' products spend a training step: for every call of an
/// `EventDrivenProducts` product by density (the loop layers' and the feedback connection's
/// forwards, adjoints and weight gradients), its layer, product, path (event-driven or dense),
/// wall time and operand density. `fsnn bench train --profile` records the timed iterations and
/// prints them per layer and product beside the step's phases.
///
/// Off unless `isRecording` is set; then each call costs two clock reads and a lock.
public final class ProductProfile: Sendable {
    public static let shared = ProductProfile()

    /// The products of one layer, one product and one path, summed over the recorded calls.
    public struct Entry: Sendable {
        public let layer: String
        public let product: String
        public let eventDriven: Bool
        public var calls = 0
        public var seconds = 0.0
        public var densitySum = 0.0

        public var meanDensity: Double { calls > 0 ? densitySum / Double(calls) : 0 }
    }

    private struct State {
        var isRecording = false
        var entries: [Entry] = []
        /// entries' index by (the layer's products, product, path).
        var index: [Key: Int] = [:]
    }

    private struct Key: Hashable {
        let layer: ObjectIdentifier
        let product: String
        let eventDriven: Bool
    }

    private let state = Mutex(State())

    /// Whether calls are recorded now.
    public var isRecording: Bool {
        get { state.withLock { $0.isRecording } }
        set { state.withLock { $0.isRecording = newValue } }
    }

    /// The entries in the order of their first call.
    public var entries: [Entry] { state.withLock { $0.entries } }

    /// Forgets every entry (recording stays as it is).
    public func reset() {
        state.withLock {
            $0.entries = []
            $0.index = [:]
        }
    }

    /// Runs `body`, recording it under the products' layer, the product and the path when recording.
    func measure(_ products: EventDrivenProducts, _ product: String, eventDriven: Bool, density: Float,
                 _ body: () throws(TensorError) -> Void) throws(TensorError) {
        guard isRecording else { return try body() }
        var clock = LapTimer()
        try body()
        let seconds = clock.lap()
        state.withLock { state in
            let key = Key(layer: ObjectIdentifier(products), product: product, eventDriven: eventDriven)
            let i = state.index[key] ?? {
                state.entries.append(Entry(layer: "\(products.layer)", product: product, eventDriven: eventDriven))
                state.index[key] = state.entries.count - 1
                return state.entries.count - 1
            }()
            state.entries[i].calls += 1
            state.entries[i].seconds += seconds
            state.entries[i].densitySum += Double(density)
        }
    }
}
