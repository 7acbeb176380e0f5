/// The size a gzip file's decompressed content may reach, as `FileContents` inflates it: the
/// smaller of the role's maximum and the size the content's header declares once enough of it is
/// known.
///
/// The gzip trailer's ISIZE is no bound: it is the size of the last member only, so a file of
/// concatenated members (`cat a.gz b.gz`) may hold more, and a single member's ISIZE is checked by
/// zlib itself when the member ends.
struct InflatedSizeBound {
    let file: String
    let limit: ContentLimit
    /// The header's declaration, once known.
    private var declared: Int?

    init(file: String, limit: ContentLimit) {
        self.file = file
        self.limit = limit
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
        let (bound, limitedBy) = declared.map { ($0, "declared by its header") } ?? (limit.maximum, limit.maximumReason)
        guard content.count <= bound else {
            throw .oversized(file: file, size: content.count, measured: "decompressed before inflation stopped",
                             limit: bound, limitedBy: limitedBy)
        }
    }
}
