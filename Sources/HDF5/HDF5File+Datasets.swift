import CHDF5
import Crypto

extension HDF5File {
    // MARK: Numeric datasets

    /// Writes `values` (row-major) as a new dataset of the given shape (`[]` for a scalar;
    /// `nil` for 1-d). `compressed` stores it deflated in chunks, for long, repetitive series.
    public func write<Element: HDF5Element>(
        _ values: [Element], shape: [Int]? = nil, to objectPath: String, compressed: Bool = false
    ) throws(HDF5Error) {
        try values.withUnsafeBufferPointer { buffer throws(HDF5Error) in
            try write(buffer, shape: shape ?? [values.count], to: objectPath, compressed: compressed)
        }
    }

    /// Writes one number as a scalar dataset.
    public func write<Element: HDF5Element>(scalar value: Element, to objectPath: String) throws(HDF5Error) {
        try write([value], shape: [], to: objectPath)
    }

    /// Writes `buffer` (row-major) as a new dataset of the given shape.
    public func write<Element: HDF5Element>(
        _ buffer: UnsafeBufferPointer<Element>, shape: [Int], to objectPath: String, compressed: Bool = false
    ) throws(HDF5Error) {
        try checkCount(buffer.count, shape: shape, objectPath)
        let type = Element.hdf5Type
        let dataset = try createDataset(objectPath, fileType: type.fileType, shape: shape, compressed: compressed,
                                        filtered: true)
        defer { HDF5Library.release(dataset, H5Dclose) }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        try call("H5Dwrite", objectPath) {
            H5Dwrite(dataset, type.memoryType, hid_t(H5S_ALL), hid_t(H5S_ALL), HDF5Library.defaultProperties, base)
        }
    }

    /// Reads a numeric dataset. Floats of either width read as `Float` or `Double`; integers
    /// read as integers of the same signedness; anything else is a `typeMismatch`.
    public func read<Element: HDF5Element>(_ objectPath: String, as _: Element.Type = Element.self)
        throws(HDF5Error) -> HDF5Array<Element>
    {
        try withDataset(objectPath) { storage throws(HDF5Error) in try storage.readNumbers(Element.self) }
    }

    /// Reads a scalar numeric dataset.
    public func readScalar<Element: HDF5Element>(_ objectPath: String, as _: Element.Type = Element.self)
        throws(HDF5Error) -> Element
    {
        let array = try read(objectPath, as: Element.self)
        guard array.shape.isEmpty else {
            throw .shapeMismatch(file: path, object: objectPath, expected: "a scalar", found: array.shape)
        }
        return array.values[0]
    }

    /// The extents of a dataset, outermost first (`[]` for a scalar).
    public func shape(of objectPath: String) throws(HDF5Error) -> [Int] {
        try withDataset(objectPath) { storage throws(HDF5Error) in try storage.shape() }
    }

    // MARK: String datasets

    /// Writes variable-length UTF-8 strings (h5py reads them as `str`) in the given shape
    /// (`nil` for 1-d), with their SHA-256 as attribute `sha256` (`stringDigestAttribute`): HDF5
    /// keeps their text in its global heap, which has no checksum.
    public func write(_ strings: [String], shape: [Int]? = nil, to objectPath: String) throws(HDF5Error) {
        let shape = shape ?? [strings.count]
        try checkCount(strings.count, shape: shape, objectPath)
        let type = try HDF5Storage.makeStringType(file: path, object: objectPath)
        defer { HDF5Library.release(type, H5Tclose) }
        let dataset = try createDataset(objectPath, fileType: type, shape: shape, compressed: false, filtered: false)
        defer { HDF5Library.release(dataset, H5Dclose) }
        try HDF5Storage(kind: .dataset(dataset), file: path, object: objectPath).writeStrings(strings, type: type)
        try setAttribute(Self.stringDigestAttribute, Self.digest(of: strings), on: objectPath)
    }

    /// The attribute of a string dataset that holds the SHA-256 (hex) of its strings, each as
    /// UTF-8 followed by a NUL byte, in row-major order. Files written before it was added lack it.
    public static let stringDigestAttribute = "sha256"

    static func digest(of strings: [String]) -> String {
        var hash = SHA256()
        for string in strings {
            hash.update(data: Array(string.utf8) + [0])
        }
        return hash.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// Writes one string as a scalar dataset.
    public func write(string: String, to objectPath: String) throws(HDF5Error) {
        try write([string], shape: [], to: objectPath)
    }

    /// Reads a string dataset (variable- or fixed-length), verifying its `sha256` attribute
    /// when it has one; a mismatch is `HDF5Error.damaged`.
    public func readStrings(_ objectPath: String) throws(HDF5Error) -> HDF5Array<String> {
        let array = try withDataset(objectPath) { storage throws(HDF5Error) in try storage.readStrings() }
        guard try hasAttribute(Self.stringDigestAttribute, of: objectPath) else { return array }
        let recorded = try attribute(Self.stringDigestAttribute, of: objectPath, as: String.self)
        let computed = Self.digest(of: array.values)
        guard recorded == computed else {
            throw .damaged(file: path, object: try absolute(objectPath),
                           reason: "the SHA-256 of its strings is \(computed), its attribute sha256 says \(recorded)")
        }
        return array
    }

    /// Reads a scalar string dataset.
    public func readString(_ objectPath: String) throws(HDF5Error) -> String {
        let array = try readStrings(objectPath)
        guard array.shape.isEmpty else {
            throw .shapeMismatch(file: path, object: objectPath, expected: "a scalar string", found: array.shape)
        }
        return array.values[0]
    }

    // MARK: Dataset internals

    private func withDataset<R>(_ objectPath: String, _ body: (HDF5Storage) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        try withObject(objectPath) { object throws(HDF5Error) in
            guard H5Iget_type(object) == H5I_DATASET else {
                throw .typeMismatch(file: path, object: objectPath, expected: "a dataset", found: "a group")
            }
            return try body(HDF5Storage(kind: .dataset(object), file: path, object: objectPath))
        }
    }

    private func checkCount(_ count: Int, shape: [Int], _ objectPath: String) throws(HDF5Error) {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw .invalidArgument(file: path, object: objectPath,
                                   reason: "\(count) values do not fill shape \(shape)")
        }
    }

    /// Creates a dataset (and its parent groups); the caller closes the returned id. `filtered` is
    /// false for variable-length strings, which HDF5's filters cannot take.
    private func createDataset(_ objectPath: String, fileType: hid_t, shape: [Int], compressed: Bool, filtered: Bool)
        throws(HDF5Error) -> hid_t
    {
        let absolutePath = try absolute(objectPath)
        let components = try pathComponents(absolutePath)
        guard !components.isEmpty else {
            throw .invalidArgument(file: path, object: objectPath, reason: "a dataset needs a name")
        }
        try createGroup("/" + components.dropLast().joined(separator: "/"))
        let properties = try HDF5File.datasetProperties(shape: shape, compressed: compressed, filtered: filtered,
                                                        file: path, object: absolutePath)
        defer { HDF5Library.release(properties, H5Pclose) }
        let space = try HDF5Storage.makeDataspace(shape, file: path, object: absolutePath)
        defer { HDF5Library.release(space, H5Sclose) }
        return try call("H5Dcreate2", absolutePath) {
            H5Dcreate2(id, absolutePath, fileType, space, HDF5Library.defaultProperties, properties,
                       HDF5Library.defaultProperties)
        }
    }

    /// Dataset creation properties: attribute creation order, and a checksum of the data that
    /// every read verifies. Non-empty numeric arrays (`filtered`) are chunked (at most 64 Ki
    /// elements along the first axis) with HDF5's Fletcher32 filter, after deflate for
    /// `compressed` ones (long, repetitive series); scalars are stored compact, inside the object
    /// header, which HDF5 checksums. String arrays stay contiguous: their text lives in HDF5's
    /// global heap, which has no checksum.
    private static func datasetProperties(shape: [Int], compressed: Bool, filtered: Bool, file: String, object: String)
        throws(HDF5Error) -> hid_t
    {
        let properties = try HDF5Library.call("H5Pcreate", file: file, object: object) {
            H5Pcreate(fsnn_h5p_dataset_create())
        }
        do {
            try HDF5Library.call("H5Pset_attr_creation_order", file: file, object: object) {
                H5Pset_attr_creation_order(properties, UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED))
            }
            let count = shape.reduce(1, *)
            if shape.isEmpty {
                try HDF5Library.call("H5Pset_layout", file: file, object: object) { H5Pset_layout(properties, H5D_COMPACT) }
            } else if filtered, count > 0 {
                let inner = shape.dropFirst().reduce(1, *)
                var chunk = shape.map { hsize_t($0) }
                chunk[0] = hsize_t(max(1, min(shape[0], 65_536 / max(1, inner))))
                try HDF5Library.call("H5Pset_chunk", file: file, object: object) {
                    H5Pset_chunk(properties, Int32(chunk.count), &chunk)
                }
                if compressed, H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_DEFLATE)) > 0 {
                    try HDF5Library.call("H5Pset_deflate", file: file, object: object) { H5Pset_deflate(properties, 6) }
                }
                try HDF5Library.call("H5Pset_fletcher32", file: file, object: object) { H5Pset_fletcher32(properties) }
            }
        } catch {
            HDF5Library.release(properties, H5Pclose)
            throw error
        }
        return properties
    }
}
