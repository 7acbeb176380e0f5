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
        try parse(FileContents.read(path), file: path, rank: rank)
    }

    /// Parses the (decompressed) content of `file`.
    public static func parse(_ bytes: [UInt8], file: String, rank: Int) throws(DatasetError) -> IDXArray {
        guard bytes.count >= 4 else {
            throw .truncated(file: file, offset: bytes.count, needed: 4 - bytes.count, what: "the IDX magic number")
        }
        guard bytes[0] == 0, bytes[1] == 0 else { throw .badMagic(file: file, found: Array(bytes[0..<4])) }
        guard bytes[2] == 0x08 else { throw .unsupportedElementType(file: file, code: bytes[2]) }
        guard Int(bytes[3]) == rank else { throw .wrongRank(file: file, found: Int(bytes[3]), expected: rank) }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw .truncated(file: file, offset: bytes.count, needed: headerSize - bytes.count,
                             what: "the \(rank) IDX extents")
        }
        let dimensions = (0..<rank).map { axis in
            bytes[(4 + 4 * axis)..<(8 + 4 * axis)].reduce(0) { $0 << 8 | Int($1) }
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

    /// Byte offset of the first element in the file.
    public var headerSize: Int { 4 + 4 * dimensions.count }
}
