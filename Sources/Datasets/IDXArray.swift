import Tensor

/// An IDX array of unsigned bytes, the format of MNIST and Fashion-MNIST
/// (http://yann.lecun.com/exdb/mnist/): magic bytes 0, 0, 0x08 (unsigned byte), rank; `rank`
/// big-endian UInt32 extents; then the elements row-major, last index fastest.
public struct IDXArray: Sendable {
    /// Extents, outermost first (e.g. [60000, 28, 28] for an image file, [60000] for labels).
    public let dimensions: [Int]
    /// The elements, row-major.
    public let elements: [UInt8]

    /// Reads `path` (raw or gzip) and checks that it holds a rank-`rank` array whose declared
    /// size matches the content exactly.
    public static func read(_ path: String, rank: Int) throws(DatasetError) -> IDXArray {
        try parse(FileContents.read(path, limit: .idx(rank: rank)), file: path, rank: rank)
    }

    /// Parses the (decompressed) content of `file`.
    public static func parse(_ bytes: [UInt8], file: String, rank: Int) throws(DatasetError) -> IDXArray {
        guard let (dimensions, elementCount) = try header(bytes[...], file: file, rank: rank) else {
            let (size, what) = bytes.count < 4 ? (4, "the IDX magic number") : (4 + 4 * rank, "the \(rank) IDX extents")
            throw .truncated(file: file, offset: bytes.count, needed: size - bytes.count, what: what)
        }
        let headerSize = 4 + 4 * rank
        let payload = bytes.count - headerSize
        guard payload >= elementCount else {
            throw .truncated(file: file, offset: bytes.count, needed: elementCount - payload,
                             what: "the \(elementCount) elements of \(Tensor.describe(dimensions))")
        }
        guard payload == elementCount else {
            throw .trailingBytes(file: file, offset: headerSize + elementCount, count: payload - elementCount)
        }
        return IDXArray(dimensions: dimensions, elements: Array(bytes[headerSize...]))
    }

    /// The size of the whole content that the header at the start of `header` declares (header
    /// and elements; the rank must be `rank` when given); nil while `header` ends within the
    /// header. A reader of a compressed file uses it to stop inflating as soon as the content
    /// outgrows it.
    static func declaredSize(header bytes: ArraySlice<UInt8>, file: String, rank: Int?) throws(DatasetError) -> Int? {
        guard let (dimensions, elementCount) = try header(bytes, file: file, rank: rank) else { return nil }
        let (size, overflow) = elementCount.addingReportingOverflow(4 + 4 * dimensions.count)
        guard !overflow else {
            throw .invalidDimensions(file: file, offset: 4, dimensions: dimensions, reason: "the element count overflows")
        }
        return size
    }

    /// The extents and the element count of the header at the start of `bytes`, checked (magic,
    /// element type, `rank` when given, extents positive and their product representable); nil
    /// when `bytes` ends within the header.
    private static func header(
        _ bytes: ArraySlice<UInt8>, file: String, rank: Int?
    ) throws(DatasetError) -> (dimensions: [Int], elementCount: Int)? {
        let start = bytes.startIndex
        guard bytes.count >= 4 else { return nil }
        guard bytes[start] == 0, bytes[start + 1] == 0 else { throw .badMagic(file: file, found: Array(bytes.prefix(4))) }
        guard bytes[start + 2] == 0x08 else { throw .unsupportedElementType(file: file, code: bytes[start + 2]) }
        let found = Int(bytes[start + 3])
        if let rank, found != rank { throw .wrongRank(file: file, found: found, expected: rank) }
        guard bytes.count >= 4 + 4 * found else { return nil }
        let dimensions = (0..<found).map { axis in
            bytes[(start + 4 + 4 * axis)..<(start + 8 + 4 * axis)].reduce(0) { $0 << 8 | Int($1) }
        }
        var elementCount = 1
        for extent in dimensions {
            guard extent > 0 else {
                throw .invalidDimensions(file: file, offset: 4, dimensions: dimensions, reason: "a zero extent")
            }
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw .invalidDimensions(file: file, offset: 4, dimensions: dimensions, reason: "the element count overflows")
            }
            elementCount = product
        }
        return (dimensions, elementCount)
    }

    /// Byte offset of the first element in the file.
    public var headerSize: Int { 4 + 4 * dimensions.count }
}
