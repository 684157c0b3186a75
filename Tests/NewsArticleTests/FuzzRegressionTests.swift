import Foundation
import Testing

@testable import NewsArticle

/// Inputs that `scripts/fuzz` found breaking a property of NewsArticle, kept as they were found
/// (and reduced by hand where that shows the cause better).
@Suite("Fuzz regressions (NewsArticle)")
struct FuzzRegressionTests {
    /// `scripts/fuzz mime`: a word of TABs between two words that need encoding was written as
    /// itself between two encoded words, where decoding drops it as the white space between
    /// them (RFC 2047 §6.2): "ü \t ü" came back as "üü".
    @Test(
        "encodeUnstructured keeps a run of TABs between encoded words",
        arguments: [
            "ü \t ü",
            "ü\t \tü x",
            "Grüße \t\t aus \t Köln",
            "ü  \t  \t ü",
            // The fuzzer's input (133 octets), decoded as UTF-8 as the target reads it.
            String(
                decoding: Data(
                    base64Encoded:
                        "PT+aVVRGLTg/UT9HODg4ODg4OD9RP0f///////84ODg4ODg4ODg4ODg4PTlGZSAgICAgICAgICAgICAgICAgICAgICAgI"
                        + "CAgICAgICAgICAgCSAgICAgICAgICAgICAgICAgICAgICAgdNuoZSjvv73vv70gX2F1c19LPUM9QjM2bG4/PQ=="
                )!,
                as: UTF8.self
            )
        ]
    )
    func tabsBetweenEncodedWords(_ text: String) {
        let encoded = EncodedWord.encodeUnstructured(text)
        #expect(EncodedWord.decode(encoded) == text, "encoded as \(encoded.debugDescription)")
        for word in encoded.split(separator: " ") where word.hasPrefix("=?") {
            #expect(word.utf8.count <= EncodedWord.maximumWordLength)
        }
    }
}
