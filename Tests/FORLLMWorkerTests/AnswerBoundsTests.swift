import Foundation
import NIOCore
import Testing

@testable import FORLLMWorker

/// Real answers of SmolLM2-135M (Tests/FORLLMWorkerTests/Fixtures/smollm2-outputs.json): one that
/// fell into a loop and others that did not, however repetitive.
private struct SmolLM2Outputs: Decodable {
    struct Output: Decodable {
        var prompt: String
        var text: String
    }

    var source: String
    var loops: [Output]
    var whole: [Output]

    static func load() throws -> SmolLM2Outputs {
        let url = try #require(
            Bundle.module.url(forResource: "smollm2-outputs", withExtension: "json", subdirectory: "Fixtures")
        )
        return try JSONDecoder().decode(SmolLM2Outputs.self, from: Data(contentsOf: url))
    }
}

/// Feeds `text` to a detector in pieces of `pieceLength` characters; the first loop found.
private func firstLoop(in text: String, pieceLength: Int = 4) -> LLMRepetition? {
    var detector = LLMRepetitionDetector()
    var piece = ""
    for character in text {
        piece.append(character)
        if piece.count == pieceLength {
            if let loop = detector.append(piece) { return loop }
            piece = ""
        }
    }
    return piece.isEmpty ? nil : detector.append(piece)
}

/// A long legitimate answer: a Markdown table with repeated cells and rows, rules, a code block
/// whose lines repeat, a numbered list. Nothing in it may be cut.
let legitimateLongAnswer: String = {
    var text = "Here is the schedule you asked for.\n\n| Day | Morning | Afternoon | Evening |\n|---|---|---|---|\n"
    for week in 1...4 {
        for day in ["Mon", "Tue", "Wed", "Thu", "Fri"] {
            text += "| \(day) | rest | rest | rest |\n"
        }
        text += "| Sat | run 5 km | rest | rest |\n| Sun | rest | rest | week \(week) done |\n"
    }
    text += "\n" + String(repeating: "-", count: 72) + "\n\nAnd the code, which unrolls the loop on purpose:\n\n```c\n"
    for _ in 1...12 {
        text += "    sum += *p++;\n"
    }
    text += "```\n\n" + String(repeating: "=", count: 72) + "\n\n"
    for item in 1...20 {
        text += "\(item). Check the value and write it down.\n"
    }
    text += "\nThat is all: " + String(repeating: "ha", count: 20) + "!\n"
    return text
}()

@Suite("Repetition loops")
struct RepetitionDetectorTests {
    @Test("a loop after a normal paragraph: the paragraph and one copy are kept, early")
    func loopAfterParagraph() throws {
        let paragraph = "The sea was calm that evening, and we talked for hours about nothing at all.\n\n"
        let text = paragraph + String(repeating: "and again ", count: 500)
        let loop = try #require(firstLoop(in: text))
        #expect(loop.period == 10)
        let kept = String(decoding: Array(text.utf8)[..<loop.keptBytes], as: UTF8.self)
        #expect(kept.hasPrefix(paragraph))
        // Everything before the loop, plus one copy of the passage (in whatever phase it starts).
        #expect(kept.utf8.count - paragraph.utf8.count <= 10)
        #expect(kept.utf8.count - paragraph.utf8.count >= 9)
        // Caught within the first ~1,100 bytes of the loop, not at the token limit.
        let seen = loop.keptBytes + loop.droppedBytes
        #expect(
            seen - paragraph.utf8.count < LLMRepetitionDetector.minimumSpan + 2 * LLMRepetitionDetector.checkInterval
        )
    }

    @Test("real SmolLM2 loops are caught within their first ~1 KB, and what came before is kept")
    func realLoops() throws {
        let outputs = try SmolLM2Outputs.load()
        #expect(outputs.loops.count == 5)
        for output in outputs.loops {
            let loop = try #require(firstLoop(in: output.text), "not caught: \(output.prompt)")
            #expect(loop.repeats >= LLMRepetitionDetector.minimumRepeats, "\(output.prompt)")
            let loopStart = loop.keptBytes - loop.period
            let seen = loop.keptBytes + loop.droppedBytes
            let span = max(LLMRepetitionDetector.minimumRepeats * loop.period, LLMRepetitionDetector.minimumSpan)
            #expect(seen - loopStart <= span + 2 * LLMRepetitionDetector.checkInterval, "\(output.prompt)")
            #expect(loop.keptBytes < output.text.utf8.count / 2, "\(output.prompt)")
        }
    }

    @Test("real SmolLM2 answers that do not loop, however repetitive, are not cut")
    func realWhole() throws {
        let outputs = try SmolLM2Outputs.load()
        #expect(outputs.whole.count == 13)
        for output in outputs.whole {
            #expect(firstLoop(in: output.text) == nil, "cut: \(output.prompt)")
        }
    }

    @Test("tables, rules, lists and code with repeated lines are never cut", arguments: [1, 3, 64, 1000])
    func legitimateText(pieceLength: Int) {
        #expect(firstLoop(in: legitimateLongAnswer, pieceLength: pieceLength) == nil)
    }

    @Test("how the stream is cut into pieces does not change the verdict", arguments: [1, 2, 7, 64, 500])
    func pieceSizes(pieceLength: Int) throws {
        let text = "Intro line.\n" + String(repeating: "I will check. ", count: 200)
        let loop = try #require(firstLoop(in: text, pieceLength: pieceLength))
        #expect(loop.period == 14)
        #expect(loop.keptBytes <= "Intro line.\n".utf8.count + 14)
    }

    @Test("a loop of multi-byte characters is cut on a character boundary")
    func multiByte() throws {
        let text = "Réponse : " + String(repeating: "ça recommence, é à ü 世界 👍🏽 ", count: 100)
        let loop = try #require(firstLoop(in: text, pieceLength: 3))
        let kept = Array(text.utf8)[..<loop.keptBytes]
        #expect(String(validating: kept, as: UTF8.self) != nil)
        #expect(String(decoding: kept, as: UTF8.self).hasPrefix("Réponse : "))
    }

    @Test("a long passage repeated eight times is a loop; seven times is not")
    func longPeriod() throws {
        let passage = (1...12).map { "Sentence number \($0) of the passage that the model repeats. " }.joined()
        #expect(passage.utf8.count > 600 && passage.utf8.count < LLMRepetitionDetector.maximumPeriod)
        #expect(firstLoop(in: "Start. " + String(repeating: passage, count: 7), pieceLength: 5) == nil)
        let loop = try #require(firstLoop(in: "Start. " + String(repeating: passage, count: 9), pieceLength: 5))
        #expect(loop.period == passage.utf8.count)
    }

    @Test("whitespace forever is a loop too")
    func whitespace() throws {
        let loop = try #require(firstLoop(in: "Done.\n" + String(repeating: "\n", count: 3000)))
        #expect(loop.period == 1)
        #expect(loop.keptBytes == "Done.\n".utf8.count)
    }
}

@Suite("Cleaning a model's text")
struct AnswerCleaningTests {
    @Test("NUL, BEL, ESC and a lone CR go; tab, newline and everything else stay byte for byte")
    func controls() {
        let text = "a\u{0}b\u{7}c\u{1B}[31mred\u{1B}[0m\tx\r\ny\rz é 世界 \u{7F}\u{85}"
        let (clean, cleaning) = AnswerCleaning.clean(text)
        #expect(clean == "abc[31mred[0m\tx\nyz é 世界 \u{7F}\u{85}")
        #expect(cleaning.summary == "removed 1 NUL (U+0000), 1 BEL (U+0007), 1 CR (U+000D), 2 ESC (U+001B)")
    }

    @Test("a clean text is returned as it is, with nothing to report")
    func clean() {
        let (clean, cleaning) = AnswerCleaning.clean("Tab\there,\nnewline there.\r\n")
        #expect(clean == "Tab\there,\nnewline there.\n")
        #expect(cleaning.isEmpty)
        #expect(cleaning.summary == nil)
    }

    @Test("invalid UTF-8 replaced while reading is reported")
    func invalidUTF8() {
        let (_, cleaning) = AnswerCleaning.clean("ok \u{FFFD}", invalidUTF8Replaced: 1)
        #expect(cleaning.summary == "replaced 1 invalid UTF-8 sequence by U+FFFD")
    }
}

@Suite("Repairing invalid Unicode in a stream line")
struct LLMUTF8RepairTests {
    private func repaired(_ bytes: [UInt8]) -> (String, Int)? {
        LLMUTF8Repair.repaired(ByteBuffer(bytes: bytes)).map { (String(buffer: $0.line), $0.replacements) }
    }

    @Test("an invalid byte becomes U+FFFD; valid text needs no repair")
    func invalidByte() throws {
        let line = Array(#"{"content":"a"#.utf8) + [0xFF, 0xFE] + Array(#"b"}"#.utf8)
        let (text, count) = try #require(self.repaired(line))
        #expect(text == "{\"content\":\"a\u{FFFD}\u{FFFD}b\"}")
        #expect(count == 2)
        #expect(self.repaired(Array(#"{"content":"é \ud83d\udc4d"}"#.utf8)) == nil)
    }

    @Test("a lone surrogate escape becomes \\ufffd; a pair and an escaped backslash stay")
    func loneSurrogates() throws {
        let line = #"{"c":"a\ud800b\udc00 \ud83d\udc4d \\ud800"}"#
        let (text, count) = try #require(self.repaired(Array(line.utf8)))
        #expect(text == #"{"c":"a\ufffdb\ufffd \ud83d\udc4d \\ud800"}"#)
        #expect(count == 2)
    }
}
