import Foundation
import Maildir
import Testing

/// A temporary directory, removed by `cleanUp()`.
struct ScratchDirectory {
    let path: String

    init() throws {
        self.path = FileManager.default.temporaryDirectory.appendingPathComponent("maildir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: self.path)
    }

    func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: self.path + "/" + directory)) ?? []).sorted()
    }
}

@Suite("Maildir protocol")
struct MaildirTests {
    static let message = Array("From: a@example.org\r\nSubject: Hi\r\n\r\nLine one\r\nA CR alone\rstays\r\n".utf8)

    @Test("create makes tmp, new and cur (and its parents); again is harmless")
    func create() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let maildir = Maildir(path: scratch.path + "/a/b/group")
        try maildir.create()
        try maildir.create()
        #expect(scratch.files("a/b/group") == ["cur", "new", "tmp"])
        try "x".write(toFile: scratch.path + "/file", atomically: true, encoding: .utf8)
        #expect(throws: MaildirError.self) { try Maildir(path: scratch.path + "/file").create() }
    }

    @Test("deliver writes in tmp/, renames into new/, with LF line ends and nothing else changed")
    func deliver() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let maildir = Maildir(path: scratch.path + "/g")
        try maildir.create()
        let name = MaildirUniqueName.make(sequence: 7, at: 1_733_468_400.25).description
        let entry = try maildir.deliver(Self.message, as: name)
        #expect(entry.directory == .new)
        #expect(entry.flags == nil)
        #expect(scratch.files("g/new") == [name])
        #expect(scratch.files("g/tmp").isEmpty)
        let written = try Data(contentsOf: URL(fileURLWithPath: entry.path))
        #expect(
            String(decoding: written, as: UTF8.self)
                == "From: a@example.org\nSubject: Hi\n\nLine one\nA CR alone\rstays\n"
        )
        var info = stat()
        #expect(stat(entry.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test("a large message is written whole")
    func large() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let maildir = Maildir(path: scratch.path + "/g")
        try maildir.create()
        let body = (0..<20_000).map { "line \($0) of a long answer\r\n" }.joined()
        let entry = try maildir.deliver(Array(("Subject: big\r\n\r\n" + body).utf8), as: "1.M1Q1R0000000000000001.h")
        let written = try String(contentsOfFile: entry.path, encoding: .utf8)
        #expect(written == ("Subject: big\r\n\r\n" + body).replacingOccurrences(of: "\r\n", with: "\n"))
    }

    @Test("locate and remove find a message in new/ and in cur/ under any flags")
    func locateAndRemove() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let maildir = Maildir(path: scratch.path + "/g")
        try maildir.create()
        let name = "1733468400.M1Q1R00000000000000aa.host"
        let other = "1733468400.M1Q11R00000000000000aa.host"
        try maildir.deliver(Self.message, as: name)
        try maildir.deliver(Self.message, as: other)
        #expect(try maildir.locate(name).map(\.directory) == [.new])

        // The reader (mutt, Dovecot) moves it to cur/ and flags it seen and replied.
        try FileManager.default.moveItem(
            atPath: scratch.path + "/g/new/" + name,
            toPath: scratch.path + "/g/cur/" + name + ":2,RS"
        )
        let found = try maildir.locate(name)
        #expect(found.map(\.directory) == [.cur])
        #expect(found.first?.flags == "RS")
        // A name that is a prefix of another is not the other.
        #expect(try maildir.locate("1733468400.M1Q1").isEmpty)

        #expect(try maildir.remove(name) == 1)
        #expect(try maildir.locate(name).isEmpty)
        #expect(try maildir.remove(name) == 0)
        #expect(scratch.files("g/new") == [other])
    }

    @Test("a leftover in tmp/ (an interrupted delivery) is replaced by the next try and removed by remove")
    func leftovers() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let maildir = Maildir(path: scratch.path + "/g")
        try maildir.create()
        let name = "1.M1Q3R0000000000000003.h"
        try "half a mess".write(toFile: scratch.path + "/g/tmp/" + name, atomically: false, encoding: .utf8)
        try maildir.deliver(Self.message, as: name)
        #expect(scratch.files("g/tmp").isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path + "/g/new/" + name)).count == 59)

        try "stale".write(toFile: scratch.path + "/g/tmp/" + name, atomically: false, encoding: .utf8)
        try "theirs".write(toFile: scratch.path + "/g/tmp/12.P5.other", atomically: false, encoding: .utf8)
        let removed = try maildir.removeTemporaryFiles { name, _ in MaildirUniqueName(fileName: name) != nil }
        #expect(removed == [name])
        #expect(scratch.files("g/tmp") == ["12.P5.other"])
    }

    @Test("unique names: the spec's form, recognised again, host escaped")
    func uniqueNames() throws {
        let name = MaildirUniqueName(seconds: 1_733_468_400, microseconds: 42, sequence: 9, random: 0xabc, host: "h.x")
        #expect(name.description == "1733468400.M42Q9R0000000000000abc.h.x")
        #expect(MaildirUniqueName(fileName: name.description + ":2,S") == name)
        #expect(MaildirUniqueName(fileName: "1733468400.P123Q4.host") == nil)
        #expect(MaildirUniqueName.escapedHost("a/b:c") == "a\\057b\\072c")
        let made = MaildirUniqueName.make(sequence: 1, at: 10.5)
        #expect(made.seconds == 10 && made.microseconds == 500_000)
        #expect(!made.host.contains("/") && !made.host.contains(":"))
        #expect(throws: MaildirError.self) { try Maildir(path: "/tmp").deliver([], as: "a/b") }
    }

    @Test("layouts: plain folders under the root, maildir++ .folders in a root that is a Maildir")
    func layouts() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let plain = MaildirTree(root: scratch.path + "/plain", layout: .plain)
        _ = try plain.createFolder("forllm.general")
        #expect(scratch.files("plain") == ["forllm.general"])
        #expect(scratch.files("plain/forllm.general") == ["cur", "new", "tmp"])

        let plusPlus = MaildirTree(root: scratch.path + "/pp", layout: .maildirPlusPlus)
        let folder = try plusPlus.createFolder("forllm.general")
        #expect(folder.path == scratch.path + "/pp/.forllm.general")
        #expect(scratch.files("pp") == [".forllm.general", "cur", "new", "tmp"])
        #expect(scratch.files("pp/.forllm.general") == ["cur", "maildirfolder", "new", "tmp"])

        for bad in ["", ".hidden", "a/b"] {
            #expect(throws: MaildirError.self) { try plain.folder(bad) }
        }
    }
}
