import CHDF5

extension HDF5File {
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

    /// Removes attribute `name` of the object at `objectPath`; a `missing` error if it has none.
    public func removeAttribute(_ name: String, of objectPath: String = "/") throws(HDF5Error) {
        let object = objectPath + "@" + name
        try withObject(objectPath) { location throws(HDF5Error) in
            guard try call("H5Aexists", object, { H5Aexists(location, name) }) > 0 else {
                throw .missing(file: path, object: object)
            }
            try call("H5Adelete", object) { H5Adelete(location, name) }
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
}
