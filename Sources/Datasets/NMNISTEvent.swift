/// One address event of an N-MNIST recording (Orchard et al. 2015; spec §8.4). On disk each
/// event is 5 bytes, big-endian bit fields: x (8 bits), y (8 bits), polarity (1 bit), timestamp
/// (23 bits, µs).
public struct NMNISTEvent: Equatable, Sendable {
    /// Sensor column, 0..<34.
    public var x: Int
    /// Sensor row, 0..<34.
    public var y: Int
    /// The polarity bit, 0 or 1; bit b goes to polarity plane b (spec §8.4 step 3).
    public var polarity: Int
    /// Microseconds since the start of the recording.
    public var timestamp: Int

    public init(x: Int, y: Int, polarity: Int, timestamp: Int) {
        self.x = x
        self.y = y
        self.polarity = polarity
        self.timestamp = timestamp
    }

    /// Bytes per event on disk.
    public static let recordSize = 5
    /// Sensor width and height.
    public static let sensorSize = 34

    /// Decodes the content of one `.bin` sample file. Bad input fails (it is never dropped
    /// silently): an empty file, a partial last record, an address outside 34×34, or a timestamp
    /// smaller than the previous one.
    public static func decode(_ bytes: [UInt8], file: String) throws(DatasetError) -> [NMNISTEvent] {
        guard !bytes.isEmpty else { throw .empty(path: file, what: "no events") }
        let count = bytes.count / recordSize
        guard bytes.count == count * recordSize else {
            throw .truncated(file: file, offset: bytes.count, needed: (count + 1) * recordSize - bytes.count,
                             what: "event \(count) (events are \(recordSize) bytes)")
        }
        var events = [NMNISTEvent]()
        events.reserveCapacity(count)
        var previous = 0
        for offset in stride(from: 0, to: bytes.count, by: recordSize) {
            let event = NMNISTEvent(
                x: Int(bytes[offset]), y: Int(bytes[offset + 1]), polarity: Int(bytes[offset + 2] >> 7),
                timestamp: Int(bytes[offset + 2] & 0x7F) << 16 | Int(bytes[offset + 3]) << 8 | Int(bytes[offset + 4]))
            guard event.x < sensorSize, event.y < sensorSize else {
                throw .eventOutOfRange(file: file, offset: offset, x: event.x, y: event.y)
            }
            guard event.timestamp >= previous else {
                throw .timestampDecreasing(file: file, offset: offset, previous: previous, current: event.timestamp)
            }
            previous = event.timestamp
            events.append(event)
        }
        return events
    }
}
