/// SHA-256 (FIPS 180-4), for identifiers derived from a message's octets.
///
/// Written out here because the package has no crypto library and the toolchain offers none on
/// Linux; it is used for naming, not for security.
/// - SeeAlso: [FIPS 180-4 §6.2](https://csrc.nist.gov/pubs/fips/180-4/upd1/final)
public struct SHA256: Sendable {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    ]
    private var block: [UInt8] = []
    private var length: UInt64 = 0

    public init() {
        self.block.reserveCapacity(64)
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Lower-case hexadecimal of a digest.
    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(digest.count * 2)
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        self.length &+= UInt64(bytes.count)
        for byte in bytes {
            self.block.append(byte)
            if self.block.count == 64 {
                self.compress()
                self.block.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The 32-octet digest; the value is spent afterwards.
    public mutating func finalize() -> [UInt8] {
        let bits = self.length &* 8
        self.block.append(0x80)
        if self.block.count > 56 {
            while self.block.count < 64 { self.block.append(0) }
            self.compress()
            self.block.removeAll(keepingCapacity: true)
        }
        while self.block.count < 56 { self.block.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            self.block.append(UInt8(truncatingIfNeeded: bits >> shift))
        }
        self.compress()
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in self.state {
            for shift in stride(from: 24, through: 0, by: -8) {
                digest.append(UInt8(truncatingIfNeeded: word >> shift))
            }
        }
        return digest
    }

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2
    ]

    private static func rotr(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }

    private mutating func compress() {
        var w = [UInt32](repeating: 0, count: 64)
        for index in 0..<16 {
            let base = index * 4
            w[index] =
                UInt32(self.block[base]) << 24 | UInt32(self.block[base + 1]) << 16 | UInt32(self.block[base + 2]) << 8
                | UInt32(self.block[base + 3])
        }
        for index in 16..<64 {
            let s0 = Self.rotr(w[index - 15], 7) ^ Self.rotr(w[index - 15], 18) ^ (w[index - 15] >> 3)
            let s1 = Self.rotr(w[index - 2], 17) ^ Self.rotr(w[index - 2], 19) ^ (w[index - 2] >> 10)
            w[index] = w[index - 16] &+ s0 &+ w[index - 7] &+ s1
        }
        var a = self.state[0]
        var b = self.state[1]
        var c = self.state[2]
        var d = self.state[3]
        var e = self.state[4]
        var f = self.state[5]
        var g = self.state[6]
        var h = self.state[7]
        for index in 0..<64 {
            let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
            let choice = (e & f) ^ (~e & g)
            let temp1 = h &+ s1 &+ choice &+ Self.k[index] &+ w[index]
            let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let temp2 = s0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ temp1
            d = c
            c = b
            b = a
            a = temp1 &+ temp2
        }
        self.state[0] &+= a
        self.state[1] &+= b
        self.state[2] &+= c
        self.state[3] &+= d
        self.state[4] &+= e
        self.state[5] &+= f
        self.state[6] &+= g
        self.state[7] &+= h
    }
}
