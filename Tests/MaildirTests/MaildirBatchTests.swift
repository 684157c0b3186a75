import Foundation
import Maildir
import Testing

@Suite("Maildir batch: one sync for many deliveries")
struct MaildirBatchTests {
    static func message(_ index: Int) -> [UInt8] {
        Array("From: a@example.org\r\nSubject: \(index)\r\n\r\nBody \(index)\r\nA CR alone\rstays\r\n".utf8)
    }

    /// A unique name of the spec's form (fixed, so that the test can name it again).
    static func name(_ index: Int) -> String {
        "1733468400.M500000Q\(index)R00000000000000aa.host"
    }

    @Test(
        "every message of a batch lands in the new/ of its folder, nothing in tmp/, in both sync modes",
        arguments: [
            MaildirBatch.Sync.eachFile, .fileSystem
        ]
    )
    func commit(sync: MaildirBatch.Sync) throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let folders = [Maildir(path: scratch.path + "/a"), Maildir(path: scratch.path + "/b")]
        for folder in folders { try folder.create() }
        var batch = MaildirBatch(sync: sync)
        for index in 0..<40 {
            try batch.add(Self.message(index), as: Self.name(index), to: folders[index % 2])
        }
        #expect(batch.count == 40)
        // Written, not yet delivered: a reader sees nothing before the commit.
        #expect(scratch.files("a/tmp").count == 20)
        #expect(scratch.files("a/new").isEmpty)
        let results = batch.commit()
        #expect(batch.count == 0)
        #expect(results.count == 40)
        for (index, result) in results.enumerated() {
            let entry = try result.get()
            #expect(entry.directory == .new)
            #expect(entry.fileName == Self.name(index))
            #expect(entry.path == folders[index % 2].path + "/new/" + Self.name(index))
            #expect(
                try String(contentsOfFile: entry.path, encoding: .utf8)
                    == "From: a@example.org\nSubject: \(index)\n\nBody \(index)\nA CR alone\rstays\n"
            )
        }
        #expect(scratch.files("a/new") == (0..<40).filter { $0 % 2 == 0 }.map(Self.name).sorted())
        #expect(scratch.files("b/new") == (0..<40).filter { $0 % 2 == 1 }.map(Self.name).sorted())
        #expect(scratch.files("a/tmp").isEmpty)
        #expect(scratch.files("b/tmp").isEmpty)
        // An empty commit does nothing.
        #expect(batch.commit().isEmpty)
    }

    @Test("a message that cannot be written or renamed fails alone; the others are delivered")
    func failures() throws {
        let scratch = try ScratchDirectory()
        defer { scratch.cleanUp() }
        let good = Maildir(path: scratch.path + "/good")
        let broken = Maildir(path: scratch.path + "/broken")
        try good.create()
        try broken.create()
        // A leftover of an interrupted try is overwritten.
        try "half a mess".write(toFile: good.path + "/tmp/" + Self.name(1), atomically: false, encoding: .utf8)
        var batch = MaildirBatch(sync: .fileSystem)
        try batch.add(Self.message(1), as: Self.name(1), to: good)
        #expect(throws: MaildirError.self) { try batch.add(Self.message(2), as: "bad/name", to: good) }
        #expect(throws: MaildirError.self) {
            try batch.add(Self.message(3), as: Self.name(3), to: Maildir(path: scratch.path + "/missing"))
        }
        try batch.add(Self.message(4), as: Self.name(4), to: broken)
        try batch.add(Self.message(5), as: Self.name(5), to: good)
        // The reader's folder lost its new/ meanwhile: the rename fails.
        try FileManager.default.removeItem(atPath: broken.path + "/new")
        let results = batch.commit()
        #expect(results.count == 3)
        #expect(try results[0].get().fileName == Self.name(1))
        #expect(throws: MaildirError.self) { try results[1].get() }
        #expect(try results[2].get().fileName == Self.name(5))
        #expect(scratch.files("good/new") == [Self.name(1), Self.name(5)].sorted())
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: good.path + "/new/" + Self.name(1)))
                == Data(
                    "From: a@example.org\nSubject: 1\n\nBody 1\nA CR alone\rstays\n".utf8
                )
        )
        // Nothing of the failed one is left behind.
        #expect(scratch.files("broken/tmp").isEmpty)
        #expect(scratch.files("good/tmp").isEmpty)
    }
}
