import Crypto
import Datasets
import Testing

/// The md5 that `fsnn data verify` and the run records use: swift-crypto's `Insecure.MD5`, printed
/// as `md5sum` prints it.
@Suite struct MD5Tests {
    /// The test suite of RFC 1321, appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321TestSuite(message: String, digest: String) {
        #expect(DataFileChecksum.md5(of: Array(message.utf8)) == digest)
    }

    /// Feeding a message in pieces of any size (across the 64-byte block and the 56-byte padding
    /// boundaries) gives the digest of the whole.
    @Test func incrementalUpdatesEqualOneShot() {
        let message = testBytes(1000, seed: 7)
        let whole = Insecure.MD5.hash(data: message)
        for piece in [1, 3, 55, 56, 63, 64, 65, 200] {
            var md5 = Insecure.MD5()
            for start in stride(from: 0, to: message.count, by: piece) {
                md5.update(data: Array(message[start..<min(start + piece, message.count)]))
            }
            #expect(md5.finalize() == whole, "pieces of \(piece) bytes")
        }
    }

    /// A million 'a' (a classic extra vector, crosses many blocks).
    @Test func millionA() {
        #expect(DataFileChecksum.md5(of: [UInt8](repeating: 0x61, count: 1_000_000)) == "7707d6ae4e027c70eea2a935c2296f21")
    }
}
