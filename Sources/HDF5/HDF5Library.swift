import CHDF5

/// Process-wide facts about the HDF5 C library and the one way fsnn calls it.
///
/// Debian's serial HDF5 is built thread-safe (one global lock inside the library), but its error
/// stack and the automatic printing of that stack are per thread. `call` therefore switches the
/// printing off on the calling thread before every C call and turns a failure into an
/// `HDF5Error` that carries the stack's messages instead.
public enum HDF5Library {
    static var defaultProperties: hid_t { fsnn_h5p_default() }

    /// The linked library's version, e.g. "1.10.8" (recorded in every result file's provenance).
    public static var version: String {
        var major: UInt32 = 0, minor: UInt32 = 0, release: UInt32 = 0
        _ = H5get_libversion(&major, &minor, &release)
        return "\(major).\(minor).\(release)"
    }

    /// Runs one C call; a negative result (HDF5's failure convention for ids, herr_t and htri_t)
    /// becomes `HDF5Error.library` naming `file`, `object` and the function, or `HDF5Error.damaged`
    /// when the failure is a checksum that does not match.
    @discardableResult
    static func call<R: BinaryInteger>(
        _ operation: String, file: String, object: String, _ body: () -> R
    ) throws(HDF5Error) -> R {
        _ = H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        let result = body()
        guard result >= 0 else {
            let reason = errorStackMessages()
            if reason.lowercased().contains("checksum") {
                throw .damaged(file: file, object: object, reason: "\(operation): \(reason)")
            }
            throw .library(file: file, object: object, operation: operation, reason: reason)
        }
        return result
    }

    /// Closes an id whose work is done; a failure here cannot be acted on, so it is ignored.
    static func release(_ id: hid_t, _ close: (hid_t) -> herr_t) {
        _ = H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        _ = close(id)
    }

    /// The descriptions on the current thread's error stack, outermost (the API call) first,
    /// without repeats, on one line (`oneLine`); then the stack is cleared.
    private static func errorStackMessages() -> String {
        var messages: [String] = []
        _ = withUnsafeMutablePointer(to: &messages) { pointer in
            H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, { _, entry, context in
                guard let entry, let context, let description = entry.pointee.desc else { return 0 }
                let text = HDF5Library.oneLine(String(cString: description))
                let list = context.assumingMemoryBound(to: [String].self)
                if !text.isEmpty, !list.pointee.contains(text) { list.pointee.append(text) }
                return 0
            }, pointer)
        }
        _ = H5Eclear2(hid_t(H5E_DEFAULT))
        return messages.isEmpty ? "no message on HDF5's error stack" : messages.joined(separator: "; ")
    }

    /// A description as one line. A file driver's report of a failed system call ("file read
    /// failed: time = …\n, filename = …, errno = 21, error message = 'Is a directory', buf =
    /// 0x7ff…, …") keeps its head and the system's message: "file read failed: Is a directory".
    static func oneLine(_ description: String) -> String {
        var text = description
        if let message = text.range(of: ", error message = '"), let colon = text.range(of: ": "),
           colon.upperBound <= message.lowerBound,
           let end = text[message.upperBound...].firstIndex(of: "'") {
            text = text[..<colon.lowerBound] + ": " + text[message.upperBound..<end]
        }
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
