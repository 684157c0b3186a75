/// A real-world-shaped mbox, as a mailing-list archive looks: a digest of a discussion with
/// folded headers, RFC 2047 encoded words, `>From ` quoting (mboxrd: `>>From ` is a quoted
/// `>From `), a message without Message-ID, MIME, trace headers and mailbox flags.
enum MboxFixtures {
    static let listArchive = """
        From jane@example.org Mon Nov 30 09:15:02 2026
        Return-Path: <jane@example.org>
        Received: from mail.example.org (mail.example.org [192.0.2.10])
        \tby lists.example.net (Postfix) with ESMTPS id 4Zx1
        \tfor <bread@lists.example.net>; Mon, 30 Nov 2026 09:15:02 +0000
        Delivered-To: bread@lists.example.net
        From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jane@example.org>
        To: bread@lists.example.net
        Subject: =?UTF-8?B?U2F1ZXJ0ZWlnIMO8YmVyIE5hY2h0?=
        Date: Mon, 30 Nov 2026 09:15:00 +0000
        Message-ID: <20261130091500.A1@example.org>
        X-Mailing-List: bread@lists.example.net
        List-Id: Bread lovers
         <bread.lists.example.net>
        Status: RO
        X-Status: A

        How long do you proof sourdough overnight?
        >From what I read, 12 hours in the fridge.
        >>From the FAQ: never more than 16.

        From bob@example.net Mon Nov 30 10:02:11 2026
        From: Bob <bob@example.net>
        To: bread@lists.example.net
        Subject: Re: =?UTF-8?B?U2F1ZXJ0ZWlnIMO8YmVyIE5hY2h0?=
        Date: Mon, 30 Nov 2026 10:02:10 +0000
        In-Reply-To: <20261130091500.A1@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="b1"
        X-Mozilla-Status: 0001

        --b1
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Jürgen wrote:
        >> From the book: never more than 16.
        >>From experience: 14 is fine.

        --b1--

        From carol@example.com Mon Nov 30 11:40:00 2026
        From: carol@example.com (Carol)
        To: bread@lists.example.net
        Subject: Re: Sauerteig
        Date: Mon, 30 Nov 2026 11:39:59 +0000
        Message-ID: <c3@example.com>
        References: <20261130091500.A1@example.org>
        In-Reply-To: <20261130091500.A1@example.org>

        Thanks, both.
        """

    /// The bodies the reader must return for ``listArchive``, unquoted (mboxrd).
    static let listArchiveBodies = [
        "How long do you proof sourdough overnight?\nFrom what I read, 12 hours in the fridge.\n"
            + ">From the FAQ: never more than 16.\n",
        "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nJürgen wrote:\n"
            + ">> From the book: never more than 16.\n>From experience: 14 is fine.\n\n--b1--\n",
        "Thanks, both."
    ]
}
