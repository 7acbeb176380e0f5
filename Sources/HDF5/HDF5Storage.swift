import CHDF5
import Foundation

/// The element I/O that datasets and attributes share: both have a dataspace and a type and
/// are read and written whole.
struct HDF5Storage {
    enum Kind {
        case dataset(hid_t)
        case attribute(hid_t)
    }

    let kind: Kind
    let file: String
    let object: String

    @discardableResult
    private func call<R: BinaryInteger>(_ operation: String, _ body: () -> R) throws(HDF5Error) -> R {
        try HDF5Library.call(operation, file: file, object: object, body)
    }

    // MARK: Space and type

    /// A scalar dataspace for `[]`, else a simple one with these extents.
    static func makeDataspace(_ shape: [Int], file: String, object: String) throws(HDF5Error) -> hid_t {
        if shape.isEmpty {
            return try HDF5Library.call("H5Screate", file: file, object: object) { H5Screate(H5S_SCALAR) }
        }
        var dims = shape.map { hsize_t($0) }
        return try HDF5Library.call("H5Screate_simple", file: file, object: object) {
            H5Screate_simple(Int32(dims.count), &dims, nil)
        }
    }

    /// The variable-length UTF-8 string type; the caller closes it.
    static func makeStringType(file: String, object: String) throws(HDF5Error) -> hid_t {
        let type = try HDF5Library.call("H5Tcopy", file: file, object: object) { H5Tcopy(fsnn_h5t_c_s1()) }
        do {
            try HDF5Library.call("H5Tset_size", file: file, object: object) { H5Tset_size(type, fsnn_h5t_variable()) }
            try HDF5Library.call("H5Tset_cset", file: file, object: object) { H5Tset_cset(type, H5T_CSET_UTF8) }
        } catch {
            HDF5Library.release(type, H5Tclose)
            throw error
        }
        return type
    }

    /// File type and shape of an attribute value; `ownsType` when the caller must close the type.
    static func layout(of value: HDF5AttributeValue, file: String, object: String)
        throws(HDF5Error) -> (fileType: hid_t, ownsType: Bool, shape: [Int])
    {
        switch value {
        case .string: return (try makeStringType(file: file, object: object), true, [])
        case let .strings(array): return (try makeStringType(file: file, object: object), true, [array.count])
        case .double: return (HDF5ElementType.float64.fileType, false, [])
        case let .doubles(array): return (HDF5ElementType.float64.fileType, false, [array.count])
        case .integer: return (HDF5ElementType.int64.fileType, false, [])
        case let .integers(array): return (HDF5ElementType.int64.fileType, false, [array.count])
        }
    }

    private func space() throws(HDF5Error) -> hid_t {
        switch kind {
        case let .dataset(id): return try call("H5Dget_space") { H5Dget_space(id) }
        case let .attribute(id): return try call("H5Aget_space") { H5Aget_space(id) }
        }
    }

    private func storedType() throws(HDF5Error) -> hid_t {
        switch kind {
        case let .dataset(id): return try call("H5Dget_type") { H5Dget_type(id) }
        case let .attribute(id): return try call("H5Aget_type") { H5Aget_type(id) }
        }
    }

    /// Extents, outermost first; `[]` for a scalar dataspace.
    func shape() throws(HDF5Error) -> [Int] {
        let space = try space()
        defer { HDF5Library.release(space, H5Sclose) }
        let rank = try call("H5Sget_simple_extent_ndims") { H5Sget_simple_extent_ndims(space) }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        try call("H5Sget_simple_extent_dims") { H5Sget_simple_extent_dims(space, &dims, nil) }
        return dims.map { Int($0) }
    }

    /// The element count of `shape` after checking that `elementSize`-byte elements of it fit
    /// what the file stores: no more than deflate's largest ratio (1032 : 1) times the stored
    /// bytes, plus 1 MiB for small or unallocated objects. A file that claims more (extents edited
    /// to 10¹², or a dataset with no data written) would otherwise size an allocation unchecked.
    private func checkedCount(_ shape: [Int], elementSize: Int) throws(HDF5Error) -> Int {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard !overflow else { throw unstorable(shape, reason: "more elements than an Int counts") }
            count = product
        }
        let stored: UInt64 = switch kind {
        case let .dataset(id): UInt64(H5Dget_storage_size(id))
        case let .attribute(id): UInt64(H5Aget_storage_size(id))
        }
        let limit = stored.multipliedReportingOverflow(by: 1032).partialValue.addingReportingOverflow(1 << 20).partialValue
        let (bytes, overflow) = UInt64(count).multipliedReportingOverflow(by: UInt64(max(elementSize, 1)))
        guard !overflow, bytes <= limit else {
            throw unstorable(shape, reason: "\(count) elements of \(elementSize) bytes, but the file stores \(stored) bytes for it")
        }
        return count
    }

    private func unstorable(_ shape: [Int], reason: String) -> HDF5Error {
        .invalidArgument(file: file, object: object, reason: "shape \(shape) cannot be read: \(reason)")
    }

    private func describe(_ type: hid_t) -> String {
        switch H5Tget_class(type) {
        case H5T_FLOAT: return "\(H5Tget_size(type) * 8)-bit floats"
        case H5T_INTEGER: return "\(H5Tget_size(type) * 8)-bit \(H5Tget_sign(type) == H5T_SGN_NONE ? "unsigned" : "signed") integers"
        case H5T_STRING: return "strings"
        default: return "a compound or other non-numeric type"
        }
    }

    // MARK: Raw transfer

    private func transfer(write: Bool, memoryType: hid_t, _ pointer: UnsafeMutableRawPointer) throws(HDF5Error) {
        let properties = HDF5Library.defaultProperties
        switch (kind, write) {
        case let (.dataset(id), true):
            try call("H5Dwrite") { H5Dwrite(id, memoryType, hid_t(H5S_ALL), hid_t(H5S_ALL), properties, pointer) }
        case let (.dataset(id), false):
            try call("H5Dread") { H5Dread(id, memoryType, hid_t(H5S_ALL), hid_t(H5S_ALL), properties, pointer) }
        case let (.attribute(id), true):
            try call("H5Awrite") { H5Awrite(id, memoryType, pointer) }
        case let (.attribute(id), false):
            try call("H5Aread") { H5Aread(id, memoryType, pointer) }
        }
    }

    // MARK: Numbers

    func readNumbers<Element: HDF5Element>(_: Element.Type) throws(HDF5Error) -> HDF5Array<Element> {
        let type = try storedType()
        defer { HDF5Library.release(type, H5Tclose) }
        let requested = Element.hdf5Type
        guard requested.canRead(storedClass: H5Tget_class(type), storedSigned: H5Tget_sign(type) != H5T_SGN_NONE) else {
            throw .typeMismatch(file: file, object: object, expected: requested.rawValue, found: describe(type))
        }
        let shape = try shape()
        var values = [Element](repeating: .zero,
                               count: try checkedCount(shape, elementSize: MemoryLayout<Element>.stride))
        if !values.isEmpty {
            try values.withUnsafeMutableBufferPointer { buffer throws(HDF5Error) in
                try transfer(write: false, memoryType: requested.memoryType, UnsafeMutableRawPointer(buffer.baseAddress!))
            }
        }
        return HDF5Array(shape: shape, values: values)
    }

    private func writeNumbers<Element: HDF5Element>(_ values: [Element]) throws(HDF5Error) {
        guard !values.isEmpty else { return }
        var values = values
        try values.withUnsafeMutableBufferPointer { buffer throws(HDF5Error) in
            try transfer(write: true, memoryType: Element.hdf5Type.memoryType, UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }

    // MARK: Strings

    /// Writes variable-length strings with the memory type `type`.
    func writeStrings(_ strings: [String], type: hid_t) throws(HDF5Error) {
        guard !strings.isEmpty else { return }
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        try pointers.withUnsafeMutableBufferPointer { buffer throws(HDF5Error) in
            try transfer(write: true, memoryType: type, UnsafeMutableRawPointer(buffer.baseAddress!))
        }
    }

    /// Reads variable- or fixed-length strings; `typeMismatch` for anything else.
    func readStrings() throws(HDF5Error) -> HDF5Array<String> {
        let type = try storedType()
        defer { HDF5Library.release(type, H5Tclose) }
        guard H5Tget_class(type) == H5T_STRING else {
            throw .typeMismatch(file: file, object: object, expected: "strings", found: describe(type))
        }
        let shape = try shape()
        let count = try checkedCount(shape, elementSize: H5Tget_size(type))
        guard count > 0 else { return HDF5Array(shape: shape, values: []) }
        let isVariable = try call("H5Tis_variable_str") { H5Tis_variable_str(type) } > 0
        let values = isVariable ? try readVariableStrings(count: count) : try readFixedStrings(count: count, type: type)
        return HDF5Array(shape: shape, values: values)
    }

    private func readVariableStrings(count: Int) throws(HDF5Error) -> [String] {
        let memoryType = try HDF5Storage.makeStringType(file: file, object: object)
        defer { HDF5Library.release(memoryType, H5Tclose) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        try pointers.withUnsafeMutableBufferPointer { buffer throws(HDF5Error) in
            try transfer(write: false, memoryType: memoryType, UnsafeMutableRawPointer(buffer.baseAddress!))
        }
        let strings = pointers.map { $0.map { String(cString: $0) } ?? "" }
        let space = try space()
        defer { HDF5Library.release(space, H5Sclose) }
        _ = pointers.withUnsafeMutableBufferPointer { buffer in
            H5Dvlen_reclaim(memoryType, space, HDF5Library.defaultProperties, buffer.baseAddress!)
        }
        return strings
    }

    /// Fixed-length strings (written by other tools): NUL- or space-padded to the type's size.
    private func readFixedStrings(count: Int, type: hid_t) throws(HDF5Error) -> [String] {
        let size = H5Tget_size(type)
        let memoryType = try call("H5Tcopy") { H5Tcopy(fsnn_h5t_c_s1()) }
        defer { HDF5Library.release(memoryType, H5Tclose) }
        try call("H5Tset_size") { H5Tset_size(memoryType, size) }
        try call("H5Tset_strpad") { H5Tset_strpad(memoryType, H5T_STR_NULLPAD) }
        var bytes = [UInt8](repeating: 0, count: count * size)
        try bytes.withUnsafeMutableBufferPointer { buffer throws(HDF5Error) in
            try transfer(write: false, memoryType: memoryType, UnsafeMutableRawPointer(buffer.baseAddress!))
        }
        return (0..<count).map { index in
            let field = bytes[(index * size)..<((index + 1) * size)]
            let text = field.prefix { $0 != 0 }
            var string = String(decoding: text, as: UTF8.self)
            while string.hasSuffix(" ") { string.removeLast() }
            return string
        }
    }

    // MARK: Attribute values

    func write(_ value: HDF5AttributeValue, fileType: hid_t) throws(HDF5Error) {
        switch value {
        case let .string(string): try writeStrings([string], type: fileType)
        case let .strings(strings): try writeStrings(strings, type: fileType)
        case let .double(number): try writeNumbers([number])
        case let .doubles(numbers): try writeNumbers(numbers)
        case let .integer(number): try writeNumbers([number])
        case let .integers(numbers): try writeNumbers(numbers)
        }
    }

    /// Reads an attribute: strings stay strings, floats read as `Double`, integers as `Int64`.
    func readAttributeValue() throws(HDF5Error) -> HDF5AttributeValue {
        let type = try storedType()
        let typeClass = H5Tget_class(type)
        let description = describe(type)
        HDF5Library.release(type, H5Tclose)
        let isScalar = try shape().isEmpty
        switch typeClass {
        case H5T_STRING:
            let values = try readStrings().values
            return isScalar ? .string(values[0]) : .strings(values)
        case H5T_FLOAT:
            let values = try readNumbers(Double.self).values
            return isScalar ? .double(values[0]) : .doubles(values)
        case H5T_INTEGER:
            let values = try readNumbers(Int64.self).values
            return isScalar ? .integer(values[0]) : .integers(values)
        default:
            throw .typeMismatch(file: file, object: object, expected: "a string, float or integer attribute",
                                found: description)
        }
    }
}
