extension Article {
    /// The groups a follow-up to this article goes to: its `Followup-To` unless that is
    /// `poster`, else its `Newsgroups`.
    /// - SeeAlso: [RFC 5536 §3.2.6](https://datatracker.ietf.org/doc/html/rfc5536#section-3.2.6)
    public var followupGroups: [String] {
        if let followup = self["Followup-To"], followup.lowercased() != "poster",
            let groups = try? NewsgroupName.parseList(followup), !groups.isEmpty
        {
            return groups
        }
        return self.newsgroups
    }

    /// The groups of its `Newsgroups` header, in order, without duplicates; none when the header
    /// is missing or names an invalid group.
    public var newsgroups: [String] {
        (try? NewsgroupName.parseList(self["Newsgroups"] ?? "")) ?? []
    }

    /// The `References` of a follow-up to this article, whose Message-ID is `messageID`.
    public func followupReferences(messageID: MessageID) -> [MessageID] {
        Threading.followupReferences(
            parentReferences: Threading.parseReferences(self["References"] ?? ""),
            parentID: messageID
        )
    }

    /// The `Subject` of a follow-up to this article: `Re: ` once, before the decoded subject.
    public var followupSubject: String {
        Threading.replySubject(EncodedWord.decode(self["Subject"] ?? ""))
    }
}
