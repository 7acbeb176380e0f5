import CHDF5

/// The numeric element types fsnn stores. Files always hold little-endian IEEE floats and
/// two's-complement integers, so they read the same on every host.
public enum HDF5ElementType: String, Sendable {
    case float32
    case float64
    case int64
    case uint64

    /// The in-memory (native) type of the element.
    var memoryType: hid_t {
        switch self {
        case .float32: return fsnn_h5t_native_float()
        case .float64: return fsnn_h5t_native_double()
        case .int64: return fsnn_h5t_native_int64()
        case .uint64: return fsnn_h5t_native_uint64()
        }
    }

    /// The type written to files.
    var fileType: hid_t {
        switch self {
        case .float32: return fsnn_h5t_ieee_f32le()
        case .float64: return fsnn_h5t_ieee_f64le()
        case .int64: return fsnn_h5t_std_i64le()
        case .uint64: return fsnn_h5t_std_u64le()
        }
    }

    /// Whether a stored type of class `storedClass` and signedness `storedSigned` reads into
    /// this type without changing the kind of number: floats of either width into floats, and
    /// integers of the same signedness (any width) into integers.
    func canRead(storedClass: H5T_class_t, storedSigned: Bool) -> Bool {
        switch self {
        case .float32, .float64: return storedClass == H5T_FLOAT
        case .int64: return storedClass == H5T_INTEGER && storedSigned
        case .uint64: return storedClass == H5T_INTEGER && !storedSigned
        }
    }
}
