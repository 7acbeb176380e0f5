import Crypto
import Foundation

/// The checksum of one data file as read, for run records and `fsnn data verify`.
public struct DataFileChecksum: Codable, Equatable, Sendable {
    /// Path relative to the data root, e.g. "mnist/train-images-idx3-ubyte.gz".
    public let path: String
    /// Bytes of the content: decompressed for gzip files; for an N-MNIST split folder, the sum
    /// over its sample files.
    public let byteCount: Int
    /// md5 of the content (decompressed for gzip files, so it is independent of how a file was
    /// compressed). For an N-MNIST split folder, the md5 of its `md5sum`-style listing: one line
    /// "<md5>  <split>/<label>/<id>.bin" per sample, in byte order of the paths, i.e. the output of
    /// `cd <root>/nmnist && find Train -name '*.bin' | LC_ALL=C sort | xargs md5sum | md5sum`.
    public let md5: String
}

extension DataFileChecksum {
    /// The md5 of `bytes` (RFC 1321, computed by swift-crypto's `Insecure.MD5`) as 32 lowercase
    /// hexadecimal digits, as `md5sum` prints it. Used only to compare data files with published
    /// checksums: md5 is not a security primitive.
    public static func md5(of bytes: [UInt8]) -> String {
        hexadecimal(Insecure.MD5.hash(data: bytes))
    }

    /// The digest's bytes as lowercase hexadecimal digits, most significant nibble first.
    static func hexadecimal(_ digest: Insecure.MD5Digest) -> String {
        digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
