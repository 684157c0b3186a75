import MailFormat
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    @Test(
        "FIPS 180-4 test vectors",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            )
        ]
    )
    func vectors(input: String, digest: String) {
        #expect(SHA256.hex(SHA256.hash(Array(input.utf8))) == digest)
    }

    @Test("fed in pieces, the same digest; 55, 56 and 64 octets pad correctly")
    func pieces() {
        let text = Array(String(repeating: "a", count: 1000).utf8)
        var hasher = SHA256()
        hasher.update(text[..<1])
        hasher.update(text[1..<130])
        hasher.update(text[130...])
        #expect(hasher.finalize() == SHA256.hash(text))
        #expect(
            SHA256.hex(SHA256.hash(text))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        )
        let lengths = [55, 56, 63, 64, 65].map { SHA256.hash(Array(repeating: UInt8(ascii: "a"), count: $0)) }
        #expect(Set(lengths.map { SHA256.hex($0) }).count == 5)
    }
}
