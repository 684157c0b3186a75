/// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`, and the checks a target makes on them.
public enum FuzzInput {
    /// The input as an array (libFuzzer passes a null pointer for the empty input).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else {
            return []
        }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The lines of `bytes`, split at LF, a CR before the LF removed: a transcript as a server's
    /// line decoder hands it on.
    public static func lines(_ bytes: [UInt8]) -> [[UInt8]] {
        bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            line.last == UInt8(ascii: "\r") ? Array(line.dropLast()) : Array(line)
        }
    }
}

/// Stops the run with `message` when a property of the parser under test does not hold. The
/// trap makes libFuzzer keep the input as a crash (`crash-…`), as for any other crash.
public func require(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        fatalError("property violated: \(message())", file: file, line: line)
    }
}

/// A short, printable form of `bytes` for a failure message.
public func describe(_ bytes: some Collection<UInt8>) -> String {
    var text = ""
    for byte in bytes.prefix(200) {
        if byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            text += "\\x" + String(byte, radix: 16, uppercase: true)
        }
    }
    return bytes.count > 200 ? text + "…" : text
}
