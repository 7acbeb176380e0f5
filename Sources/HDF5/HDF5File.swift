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

    /// Creates a file that lives in memory only (HDF5's core driver without a backing store);
    /// `name` appears in error messages. `image()` returns its bytes, for a caller that writes
    /// them itself, so that no file-system failure (a full disk) ever reaches libhdf5, which
    /// cannot recover from a failed close.
    public static func createInMemory(name: String) throws(HDF5Error) -> HDF5File {
        let creation = try HDF5File.creationOrderProperties(fsnn_h5p_file_create(), file: name, object: "/")
        defer { HDF5Library.release(creation, H5Pclose) }
        let access = try HDF5Library.call("H5Pcreate", file: name, object: "/") { H5Pcreate(fsnn_h5p_file_access()) }
        defer { HDF5Library.release(access, H5Pclose) }
        try HDF5Library.call("H5Pset_fapl_core", file: name, object: "/") { H5Pset_fapl_core(access, 1 << 20, false) }
        let id = try HDF5Library.call("H5Fcreate", file: name, object: "/") {
            H5Fcreate(name, fsnn_h5f_acc_trunc(), creation, access)
        }
        return HDF5File(path: name, id: id)
    }

    /// The complete file as bytes (flushed first), e.g. of a file made by `createInMemory`.
    public func image() throws(HDF5Error) -> [UInt8] {
        try call("H5Fflush", "/") { H5Fflush(id, H5F_SCOPE_GLOBAL) }
        let size = try call("H5Fget_file_image", "/") { H5Fget_file_image(id, nil, 0) }
        var bytes = [UInt8](repeating: 0, count: size)
        let written = bytes.withUnsafeMutableBytes { buffer in H5Fget_file_image(id, buffer.baseAddress, size) }
        try call("H5Fget_file_image", "/") { written }
        guard written == size else {
            throw .invalidArgument(file: path, object: "/", reason: "the file image has \(written) bytes, expected \(size)")
        }
        return bytes
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

    func absolute(_ objectPath: String) throws(HDF5Error) -> String {
        "/" + (try pathComponents(objectPath)).joined(separator: "/")
    }

    private func linkExists(_ absolutePath: String) throws(HDF5Error) -> Bool {
        try call("H5Lexists", absolutePath) { H5Lexists(id, absolutePath, HDF5Library.defaultProperties) } > 0
    }

    /// Opens the object at `objectPath` for the duration of `body`.
    func withObject<R>(_ objectPath: String, _ body: (hid_t) throws(HDF5Error) -> R) throws(HDF5Error) -> R {
        let absolutePath = try absolute(objectPath)
        guard try contains(absolutePath) else { throw .missing(file: path, object: absolutePath) }
        let object = try call("H5Oopen", absolutePath) { H5Oopen(id, absolutePath, HDF5Library.defaultProperties) }
        defer { HDF5Library.release(object, H5Oclose) }
        return try body(object)
    }

    /// Runs an iteration whose callback appends each name to the `[String]` it is handed.
    func collectNames(
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
    func tracksCreationOrder(_ object: hid_t, _ objectPath: String, links: Bool) throws(HDF5Error) -> Bool {
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
}
