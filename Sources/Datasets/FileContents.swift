import CZlib
import Foundation

/// Reads a data file whole: its stored bytes, or, when it is gzip-compressed, the decompressed
/// content. Compression is recognised by the gzip magic bytes 1f 8b, not by the name; a file named
/// `*.gz` without them is reported as a corrupt stream. The compressed input is streamed through
/// zlib in 1 MiB chunks; concatenated gzip members (as `gzip` writes them) are decompressed in
/// order, and anything else after the last member is an error.
///
/// The content may not outgrow `limit`: a stored file larger than its role's maximum is refused
/// before it is read, and inflation stops as soon as the content passes the smaller of the role's
/// maximum and the size its header declares (IDX); see `InflatedSizeBound`.
public enum FileContents {
    static let chunkSize = 1 << 20

    public static func read(_ path: String, limit: ContentLimit = .anyDataFile) throws(DatasetError) -> [UInt8] {
        let file = try InputFile(path)
        guard file.size <= limit.maximum else {
            throw .oversized(file: path, size: file.size, measured: "stored", limit: limit.maximum,
                             limitedBy: limit.maximumReason)
        }
        // Small files (N-MNIST samples) need no 1 MiB buffer.
        let capacity = max(2, min(chunkSize, file.size))
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { input.deallocate() }
        let firstCount = try file.read(into: input, count: capacity)
        let isGzip = firstCount >= 2 && input[0] == 0x1F && input[1] == 0x8B
        if isGzip { return try inflate(file, limit: limit, input: input, capacity: capacity, firstCount: firstCount) }
        if path.hasSuffix(".gz") {
            throw .corruptCompressedStream(file: path, offset: 0, reason: "no gzip magic bytes 1f 8b")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(file.size)
        var count = firstCount
        while count > 0 {
            bytes.append(contentsOf: UnsafeBufferPointer(start: input, count: count))
            count = try file.read(into: input, count: capacity)
        }
        return bytes
    }

    /// Decompresses the gzip stream whose first `firstCount` stored bytes are already in `input`
    /// (a buffer of `capacity` bytes), within `limit`.
    private static func inflate(
        _ file: InputFile, limit: ContentLimit, input: UnsafeMutablePointer<UInt8>, capacity: Int, firstCount: Int
    ) throws(DatasetError) -> [UInt8] {
        var bound = InflatedSizeBound(file: file.path, limit: limit)
        // zlib keeps a pointer back to its z_stream, so the stream must not move: heap-allocate it.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer {
            output.deallocate()
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        // windowBits 15 + 32: 32 KiB window, gzip or zlib header detected automatically.
        guard fsnn_inflate_init2(stream, 15 + 32) == Z_OK else {
            throw .corruptCompressedStream(file: file.path, offset: 0, reason: "zlib could not be initialised")
        }
        defer { inflateEnd(stream) }

        var content = [UInt8]()
        var storedOffset = 0   // stored bytes consumed by zlib so far
        var memberEnded = false
        stream.pointee.next_in = input
        stream.pointee.avail_in = UInt32(firstCount)
        while true {
            if stream.pointee.avail_in == 0 {
                let count = try file.read(into: input, count: capacity)
                if count == 0 { break }
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(count)
            }
            if memberEnded {
                // More bytes after a complete member: either another member or garbage.
                guard stream.pointee.next_in[0] == 0x1F else {
                    throw .trailingBytes(file: file.path, offset: storedOffset, count: file.size - storedOffset)
                }
                inflateReset(stream)
                memberEnded = false
            }
            let availableBefore = stream.pointee.avail_in
            stream.pointee.next_out = output
            stream.pointee.avail_out = UInt32(chunkSize)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            storedOffset += Int(availableBefore - stream.pointee.avail_in)
            content.append(contentsOf: UnsafeBufferPointer(start: output, count: chunkSize - Int(stream.pointee.avail_out)))
            switch status {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK:
                break
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                break   // all input used; the next chunk is read above
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw .corruptCompressedStream(file: file.path, offset: storedOffset, reason: reason)
            }
            // After zlib's verdict: garbage from a corrupt stream is reported as the corruption.
            try bound.check(content)
        }
        guard memberEnded else { throw .truncatedCompressedStream(file: file.path, offset: storedOffset) }
        return content
    }
}
