/// The most bytes a data file's content may hold, so that a corrupt or hostile file (a gzip bomb:
/// 1 MB inflating to 1 GiB) is refused as soon as its content passes that size instead of after
/// inflating all of it.
///
/// Two bounds apply: a fixed maximum for the file's role, whatever its content says, and the
/// exact size the content's own header declares, when the format has one (IDX: magic, rank and
/// extents), known from the first decompressed bytes.
public struct ContentLimit: Sendable {
    /// The most bytes a file of this role may hold.
    public let maximum: Int
    /// The role in messages: "an IDX file".
    public let role: String
    /// The content size declared by the header at the start of `prefix` (the first content
    /// bytes of `file`); nil while `prefix` is too short to tell, or for formats without a
    /// header. Throws when the header is already invalid, so a bomb of garbage stops early.
    let declaredSize: @Sendable (_ prefix: ArraySlice<UInt8>, _ file: String) throws(DatasetError) -> Int?

    init(maximum: Int, role: String,
         declaredSize: @escaping @Sendable (ArraySlice<UInt8>, String) throws(DatasetError) -> Int? = { _, _ in nil }) {
        self.maximum = maximum
        self.role = role
        self.declaredSize = declaredSize
    }

    /// What sets `maximum`, in messages.
    var maximumReason: String { "(the most \(role) may hold)" }

    /// MNIST and Fashion-MNIST files of `rank` (any when nil): the largest is 47,040,016 bytes
    /// (60,000 images).
    public static func idx(rank: Int?) -> ContentLimit {
        ContentLimit(maximum: 128 << 20, role: "an IDX file") { prefix, file throws(DatasetError) in
            try IDXArray.declaredSize(header: prefix, file: file, rank: rank)
        }
    }

    /// CIFAR record files: the largest is CIFAR-100's train.bin, 153,700,000 bytes.
    public static let cifar = ContentLimit(maximum: 256 << 20, role: "a CIFAR file")

    /// One N-MNIST sample: about 4,000 events of 5 bytes (the longest of the offline subset is
    /// 35,760 bytes); 1 MiB is 200,000 events.
    public static let nmnistSample = ContentLimit(maximum: 1 << 20, role: "an N-MNIST sample")

    /// A data file of a role not known to the reader: the largest maximum of the roles above.
    public static let anyDataFile = ContentLimit(maximum: 256 << 20, role: "a data file")
}
