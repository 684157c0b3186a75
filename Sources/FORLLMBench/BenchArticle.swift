import Foundation
import NIOCore

/// The articles the bench posts: a newsreader-sized plain text post (about 850 bytes) with a
/// Message-ID of its own, so that reruns against a server with history (INN) are never
/// refused as duplicates.
enum BenchArticle {
    /// A random tag for this run, part of every Message-ID.
    static let runID = String(UInt64.random(in: 1..<UInt64.max), radix: 36)

    /// RFC 5322 date of now, as newsreaders send it.
    static let date: String = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: Date())
    }()

    static let bodyLines: [String] = (1...8).map { index in
        "Line \(index) of a benchmark article: the quick brown fox jumps over the lazy dog, twice."
    }

    /// `<bench.RUN.TAG@bench.invalid>`
    static func messageID(_ tag: String) -> String {
        "<bench.\(Self.runID).\(tag)@bench.invalid>"
    }

    /// The article with CRLF line ends and the terminating `.` line, ready to send after 340.
    static func make(
        group: String,
        messageID: String,
        subject: String,
        extraHeaders: [String] = [],
        body: [String] = Self.bodyLines
    ) -> ByteBuffer {
        var text = "From: Bench <bench@example.invalid>\r\n"
        text += "Newsgroups: \(group)\r\n"
        text += "Subject: \(subject)\r\n"
        text += "Message-ID: \(messageID)\r\n"
        text += "Date: \(Self.date)\r\n"
        text += "User-Agent: forllm-bench\r\n"
        for header in extraHeaders { text += header + "\r\n" }
        text += "\r\n"
        for line in body { text += (line.hasPrefix(".") ? "." : "") + line + "\r\n" }
        text += ".\r\n"
        return ByteBuffer(string: text)
    }
}
