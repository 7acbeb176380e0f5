import CHDF5

/// An open HDF5 file, addressed by absolute object paths such as `/epochs/test_acc`.
///
/// Objects are opened by path for each operation and closed before it returns, so no handle
/// outlives its call and every error can name the path it concerns. Groups and datasets this type
/// creates track the creation order of their members and attributes, so `members(of:)` and
/// `attributes(of:)` return them in the order they were written (files from other writers list
/// by name). Nonexistent parent groups are created on demand.
public final class HDF5File {
    public enum Mode: Sendable {
        case readOnly
        case readWrite
    }

    /// The path the file was opened at, used in every error message.
    public let path: String
    var id: hid_t
    private var isOpen = true

    private init(path: String, id: hid_t) {
        self.path = path
        self.id = id
    }

    /// Creates (or truncates) a file at `path`.
    public static func create(_ path: String) throws(HDF5Error) -> HDF5File {
        let properties = try HDF5File.creationOrderProperties(fsnn_h5p_file_create(), file: path, object: "/")
        defer { HDF5Library.release(properties, H5Pclose) }
        let id = try HDF5Library.call("H5Fcreate", file: path, object: "/") {
            H5Fcreate(path, fsnn_h5f_acc_trunc(), properties, HDF5Library.defaultProperties)
        }
        return HDF5File(path: path, id: id)
    }

    /// Opens an existing file.
    public static func open(_ path: String, mode: Mode = .readOnly) throws(HDF5Error) -> HDF5File {
        let flags = mode == .readOnly ? fsnn_h5f_acc_rdonly() : fsnn_h5f_acc_rdwr()
        let id = try HDF5Library.call("H5Fopen", file: path, object: "/") {
            H5Fopen(path, flags, HDF5Library.defaultProperties)
        }
        return HDF5File(path: path, id: id)
    }

    /// Flushes and closes the file; later operations fail. Closing twice is allowed.
    public func close() throws(HDF5Error) {
        guard isOpen else { return }
        isOpen = false
        try HDF5Library.call("H5Fclose", file: path, object: "/") { H5Fclose(id) }
    }

    deinit {
        if isOpen { HDF5Library.release(id, H5Fclose) }
    }

    // MARK: Structure

    /// Creates the group at `objectPath` and any missing parents; existing groups are kept.
    public func createGroup(_ objectPath: String) throws(HDF5Error) {
        let components = try pathComponents(objectPath)
        var prefix = ""
        for component in components {
            prefix += "/" + component
            if try linkExists(prefix) { continue }
            let properties = try HDF5File.creationOrderProperties(fsnn_h5p_group_create(), file: path, object: prefix)
            defer { HDF5Library.release(properties, H5Pclose) }
            let group = try call("H5Gcreate2", prefix) {
                H5Gcreate2(id, prefix, HDF5Library.defaultProperties, properties, HDF5Library.defaultProperties)
            }
            HDF5Library.release(group, H5Gclose)
        }
    }

    /// Whether an object exists at `objectPath` (every component is checked in turn).
    public func contains(_ objectPath: String) throws(HDF5Error) -> Bool {
        var prefix = ""
        for component in try pathComponents(objectPath) {
            prefix += "/" + component
            guard try linkExists(prefix) else { return false }
        }
        return true
    }

    public enum ObjectKind: Sendable {
        case group
        case dataset
        case other
    }

    /// Whether `objectPath` is a group or a dataset.
    public func kind(of objectPath: String) throws(HDF5Error) -> ObjectKind {
        try withObject(objectPath) { object throws(HDF5Error) in
            switch H5Iget_type(object) {
            case H5I_GROUP: return .group
            case H5I_DATASET: return .dataset
            default: return .other
            }
        }
    }

    /// Names of the members of the group at `groupPath`, in creation order when the group tracks
    /// it and by name otherwise.
    public func members(of groupPath: String) throws(HDF5Error) -> [String] {
        try withObject(groupPath) { group throws(HDF5Error) in
            let index = try tracksCreationOrder(group, groupPath, links: true) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
            return try collectNames(groupPath, "H5Literate") { names in
                var position: hsize_t = 0
                return H5Literate(group, index, H5_ITER_INC, &position, { _, name, _, context in
                    guard let name, let context else { return -1 }
                    context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                    return 0
                }, names)
            }
        }
    }

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
        let dataset = try createDataset(objectPath, fileType: type.fileType, shape: shape, compressed: compressed)
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
    /// (`nil` for 1-d).
    public func write(_ strings: [String], shape: [Int]? = nil, to objectPath: String) throws(HDF5Error) {
        let shape = shape ?? [strings.count]
        try checkCount(strings.count, shape: shape, objectPath)
        let type = try HDF5Storage.makeStringType(file: path, object: objectPath)
        defer { HDF5Library.release(type, H5Tclose) }
        let dataset = try createDataset(objectPath, fileType: type, shape: shape, compressed: false)
        defer { HDF5Library.release(dataset, H5Dclose) }
        try HDF5Storage(kind: .dataset(dataset), file: path, object: objectPath).writeStrings(strings, type: type)
    }

    /// Writes one string as a scalar dataset.
    public func write(string: String, to objectPath: String) throws(HDF5Error) {
        try write([string], shape: [], to: objectPath)
    }

    /// Reads a string dataset (variable- or fixed-length).
    public func readStrings(_ objectPath: String) throws(HDF5Error) -> HDF5Array<String> {
        try withDataset(objectPath) { storage throws(HDF5Error) in try storage.readStrings() }
    }

    /// Reads a scalar string dataset.
    public func readString(_ objectPath: String) throws(HDF5Error) -> String {
        let array = try readStrings(objectPath)
        guard array.shape.isEmpty else {
            throw .shapeMismatch(file: path, object: objectPath, expected: "a scalar string", found: array.shape)
        }
        return array.values[0]
    }

    // MARK: Attributes

    /// Sets (or replaces) attribute `name` of the object at `objectPath`.
    public func setAttribute(_ name: String, _ value: HDF5AttributeValue, on objectPath: String = "/") throws(HDF5Error) {
        let object = objectPath + "@" + name
        try withObject(objectPath) { location throws(HDF5Error) in
            if try call("H5Aexists", object, { H5Aexists(location, name) }) > 0 {
                try call("H5Adelete", object) { H5Adelete(location, name) }
            }
            let layout = try HDF5Storage.layout(of: value, file: path, object: object)
            defer { if layout.ownsType { HDF5Library.release(layout.fileType, H5Tclose) } }
            let (fileType, shape) = (layout.fileType, layout.shape)
            let space = try HDF5Storage.makeDataspace(shape, file: path, object: object)
            defer { HDF5Library.release(space, H5Sclose) }
            let attribute = try call("H5Acreate2", object) {
                H5Acreate2(location, name, fileType, space, HDF5Library.defaultProperties, HDF5Library.defaultProperties)
            }
            defer { HDF5Library.release(attribute, H5Aclose) }
            try HDF5Storage(kind: .attribute(attribute), file: path, object: object).write(value, fileType: fileType)
        }
    }

    /// Sets attribute `name` from a Swift value (String, Double, Int, Bool or arrays of them).
    public func setAttribute(_ name: String, _ value: some HDF5AttributeConvertible, on objectPath: String = "/")
        throws(HDF5Error)
    {
        try setAttribute(name, value.hdf5AttributeValue, on: objectPath)
    }

    /// Attribute `name` of the object at `objectPath`.
    public func attribute(_ name: String, of objectPath: String = "/") throws(HDF5Error) -> HDF5AttributeValue {
        let object = objectPath + "@" + name
        return try withObject(objectPath) { location throws(HDF5Error) in
            guard try call("H5Aexists", object, { H5Aexists(location, name) }) > 0 else {
                throw .missing(file: path, object: object)
            }
            let attribute = try call("H5Aopen", object) { H5Aopen(location, name, HDF5Library.defaultProperties) }
            defer { HDF5Library.release(attribute, H5Aclose) }
            return try HDF5Storage(kind: .attribute(attribute), file: path, object: object).readAttributeValue()
        }
    }

    /// Attribute `name` converted to `T`; a `typeMismatch` if it holds another type.
    public func attribute<T: HDF5AttributeConvertible>(_ name: String, of objectPath: String = "/", as _: T.Type = T.self)
        throws(HDF5Error) -> T
    {
        let value = try attribute(name, of: objectPath)
        guard let converted = T(hdf5AttributeValue: value) else {
            throw .typeMismatch(file: path, object: objectPath + "@" + name,
                                expected: T.hdf5AttributeTypeName, found: value.typeName)
        }
        return converted
    }

    /// Whether the object at `objectPath` has attribute `name`.
    public func hasAttribute(_ name: String, of objectPath: String = "/") throws(HDF5Error) -> Bool {
        try withObject(objectPath) { location throws(HDF5Error) in
            try call("H5Aexists", objectPath + "@" + name, { H5Aexists(location, name) }) > 0
        }
    }

    /// Names of the attributes of the object at `objectPath`, in creation order when tracked.
    public func attributeNames(of objectPath: String = "/") throws(HDF5Error) -> [String] {
        try withObject(objectPath) { location throws(HDF5Error) in
            let index = try tracksCreationOrder(location, objectPath, links: false) ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
            return try collectNames(objectPath, "H5Aiterate2") { names in
                var position: hsize_t = 0
                return H5Aiterate2(location, index, H5_ITER_INC, &position, { _, name, _, context in
                    guard let name, let context else { return -1 }
                    context.assumingMemoryBound(to: [String].self).pointee.append(String(cString: name))
                    return 0
                }, names)
            }
        }
    }

    /// All attributes of the object at `objectPath`, in creation order when tracked.
    public func attributes(of objectPath: String = "/") throws(HDF5Error) -> [(name: String, value: HDF5AttributeValue)] {
        var result: [(name: String, value: HDF5AttributeValue)] = []
        for name in try attributeNames(of: objectPath) {
            result.append((name, try attribute(name, of: objectPath)))
        }
        return result
    }

    // MARK: Internals

    /// Runs a C call for the object at `objectPath` of this file.
    @discardableResult
    func call<R: BinaryInteger>(_ operation: String, _ objectPath: String, _ body: () -> R) throws(HDF5Error) -> R {
        try HDF5Library.call(operation, file: path, object: objectPath, body)
    }

    /// "/a/b" or "a/b" → ["a", "b"]; "/" → []. Empty, "." and ".." components are rejected.
    func pathComponents(_ objectPath: String) throws(HDF5Error) -> [String] {
        let components = objectPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst(
            objectPath.hasPrefix("/") ? 1 : 0)
        if components == [""] { return [] }
        for component in components where component.isEmpty || component == "." || component == ".." {
            throw .invalidArgument(file: path, object: objectPath,
                                   reason: "'\(component)' is not a valid path component")
        }
        return components.map(String.init)
    }

    private func absolute(_ objectPath: String) throws(HDF5Error) -> String {
        "/" + (try pathComponents(objectPath)).joined(separator: "/")
    }

    private func linkExists(_ absolutePath: String) throws(HDF5Error) -> Bool {
        try call("H5Lexists", absolutePath) { H5Lexists(id, absolutePath, HDF5Library.defaultProperties) } > 0
    }

    /// Opens the object at `objectPath` for the duration of `body`.
    private func withObject<R>(_ objectPath: String, _ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        let absolutePath = try absolute(objectPath)
        guard try contains(absolutePath) else { throw .missing(file: path, object: absolutePath) }
        let object = try call("H5Oopen", absolutePath) { H5Oopen(id, absolutePath, HDF5Library.defaultProperties) }
        defer { HDF5Library.release(object, H5Oclose) }
        return try body(object)
    }

    private func withDataset<R>(_ objectPath: String, _ body: (HDF5Storage) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        try withObject(objectPath) { object throws(HDF5Error) in
            guard H5Iget_type(object) == H5I_DATASET else {
                throw .typeMismatch(file: path, object: objectPath, expected: "a dataset", found: "a group")
            }
            return try body(HDF5Storage(kind: .dataset(object), file: path, object: objectPath))
        }
    }

    /// Runs an iteration whose callback appends each name to the `[String]` it is handed.
    private func collectNames(
        _ objectPath: String, _ operation: String, _ iterate: (UnsafeMutableRawPointer) -> herr_t
    ) throws(HDF5Error) -> [String] {
        var names: [String] = []
        try withUnsafeMutablePointer(to: &names) { pointer throws(HDF5Error) in
            _ = try call(operation, objectPath) { iterate(pointer) }
        }
        return names
    }

    /// Whether a group (or dataset) tracks and indexes the creation order of its links (or
    /// attributes), as everything this type creates does; h5py does only with `track_order`.
    private func tracksCreationOrder(_ object: hid_t, _ objectPath: String, links: Bool) throws(HDF5Error) -> Bool {
        let isGroup = H5Iget_type(object) == H5I_GROUP
        if links, !isGroup { return false }
        let properties = try call(isGroup ? "H5Gget_create_plist" : "H5Dget_create_plist", objectPath) {
            isGroup ? H5Gget_create_plist(object) : H5Dget_create_plist(object)
        }
        defer { HDF5Library.release(properties, H5Pclose) }
        var flags: UInt32 = 0
        try call(links ? "H5Pget_link_creation_order" : "H5Pget_attr_creation_order", objectPath) {
            links ? H5Pget_link_creation_order(properties, &flags) : H5Pget_attr_creation_order(properties, &flags)
        }
        let both = UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
        return flags & both == both
    }

    private func checkCount(_ count: Int, shape: [Int], _ objectPath: String) throws(HDF5Error) {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == count else {
            throw .invalidArgument(file: path, object: objectPath,
                                   reason: "\(count) values do not fill shape \(shape)")
        }
    }

    /// Creates a dataset (and its parent groups); the caller closes the returned id.
    private func createDataset(_ objectPath: String, fileType: hid_t, shape: [Int], compressed: Bool)
        throws(HDF5Error) -> hid_t
    {
        let absolutePath = try absolute(objectPath)
        let components = try pathComponents(absolutePath)
        guard !components.isEmpty else {
            throw .invalidArgument(file: path, object: objectPath, reason: "a dataset needs a name")
        }
        try createGroup("/" + components.dropLast().joined(separator: "/"))
        let properties = try HDF5File.datasetProperties(shape: shape, compressed: compressed, file: path, object: absolutePath)
        defer { HDF5Library.release(properties, H5Pclose) }
        let space = try HDF5Storage.makeDataspace(shape, file: path, object: absolutePath)
        defer { HDF5Library.release(space, H5Sclose) }
        return try call("H5Dcreate2", absolutePath) {
            H5Dcreate2(id, absolutePath, fileType, space, HDF5Library.defaultProperties, properties,
                       HDF5Library.defaultProperties)
        }
    }

    /// Group or file creation properties that track link and attribute creation order.
    private static func creationOrderProperties(_ propertyClass: hid_t, file: String, object: String)
        throws(HDF5Error) -> hid_t
    {
        let properties = try HDF5Library.call("H5Pcreate", file: file, object: object) { H5Pcreate(propertyClass) }
        let order = UInt32(H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED)
        do {
            try HDF5Library.call("H5Pset_link_creation_order", file: file, object: object) {
                H5Pset_link_creation_order(properties, order)
            }
            try HDF5Library.call("H5Pset_attr_creation_order", file: file, object: object) {
                H5Pset_attr_creation_order(properties, order)
            }
        } catch {
            HDF5Library.release(properties, H5Pclose)
            throw error
        }
        return properties
    }

    /// Dataset creation properties: attribute creation order, and for `compressed` non-empty
    /// arrays a chunked deflate layout (chunks of at most 64 Ki elements along the first axis).
    private static func datasetProperties(shape: [Int], compressed: Bool, file: String, object: String)
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
            if compressed, !shape.isEmpty, count > 0, H5Zfilter_avail(H5Z_filter_t(H5Z_FILTER_DEFLATE)) > 0 {
                let inner = shape.dropFirst().reduce(1, *)
                var chunk = shape.map { hsize_t($0) }
                chunk[0] = hsize_t(max(1, min(shape[0], 65_536 / max(1, inner))))
                try HDF5Library.call("H5Pset_chunk", file: file, object: object) {
                    H5Pset_chunk(properties, Int32(chunk.count), &chunk)
                }
                try HDF5Library.call("H5Pset_deflate", file: file, object: object) { H5Pset_deflate(properties, 6) }
            }
        } catch {
            HDF5Library.release(properties, H5Pclose)
            throw error
        }
        return properties
    }
}
