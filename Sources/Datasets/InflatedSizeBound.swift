/// The size a gzip file's decompressed content may reach, as `FileContents` inflates it: the
/// smallest of the role's maximum, the size the content's header declares once enough of it is
/// known, and the gzip trailer's ISIZE while it applies (the first member).
struct InflatedSizeBound {
    let file: String
    let limit: ContentLimit
    /// ISIZE, the last member's size modulo 2³² (every role's maximum is below 2³²).
    let trailerSize: Int?
    /// Whether ISIZE bounds the content: until a first member ends and another follows.
    var trailerApplies = true
    /// The header's declaration, once known.
    private var declared: Int?

    init(file: String, limit: ContentLimit, trailer: [UInt8]) {
        self.file = file
        self.limit = limit
        trailerSize = trailer.count == 4 ? trailer.reversed().reduce(0) { $0 << 8 | Int($1) } : nil
    }

    /// Throws `oversized` when `content`, the content inflated so far, passes the bound, or when
    /// its header declares more than the role's maximum; header errors surface here too.
    mutating func check(_ content: [UInt8]) throws(DatasetError) {
        if declared == nil, let size = try limit.declaredSize(content[...], file) {
            guard size <= limit.maximum else {
                throw .oversized(file: file, size: size, measured: "declared by its header", limit: limit.maximum,
                                 limitedBy: limit.maximumReason)
            }
            declared = size
        }
        let (bound, limitedBy) = current
        guard content.count <= bound else {
            throw .oversized(file: file, size: content.count, measured: "decompressed before inflation stopped",
                             limit: bound, limitedBy: limitedBy)
        }
    }

    /// The bound in force and what sets it.
    private var current: (Int, String) {
        if let declared { return (declared, "declared by its header") }
        if trailerApplies, let trailerSize, trailerSize < limit.maximum {
            return (trailerSize, "declared by its gzip trailer (ISIZE)")
        }
        return (limit.maximum, limit.maximumReason)
    }
}
