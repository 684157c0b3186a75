import NewsArticle

/// Real-world articles in the unstuffed wire form, written with LF here and turned into CRLF
/// by ``wire(_:)``. `\u{20}` marks a trailing space that matters (format=flowed, `-- `).
enum Fixtures {
    /// Thunderbird 128, format=flowed, UTF-8, 8bit, a German text with a mention.
    static let thunderbird = wire(
        """
        Path: forllm.local!not-for-mail
        Message-ID: <8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>
        Date: Wed, 25 Nov 2026 17:28:35 +0100
        MIME-Version: 1.0
        User-Agent: Mozilla Thunderbird
        Content-Language: de-DE
        Newsgroups: forllm.general
        From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>
        Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
        Content-Type: text/plain; charset=UTF-8; format=flowed
        Content-Transfer-Encoding: 8bit

        Hallo zusammen,

        ich habe eine Frage zu den Modellen: Welches eignet sich am besten für\u{20}
        längere Texte auf Deutsch? @Assistant, was meinst du?

        Viele Grüße
        Jürgen

        --\u{20}
        Jürgen Müller, Köln

        """
    )

    /// slrn 1.0.3: a follow-up with References, an attribution, quotes and a signature.
    static let slrnFollowup = wire(
        """
        Path: forllm.local!not-for-mail
        From: Alice Example <alice@example.org>
        Newsgroups: forllm.general
        Subject: Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
        Date: 26 Nov 2026 08:01:02 GMT
        Organization: None
        Message-ID: <slrn10k2abc.1f4.alice@example.org>
        References: <8a3f6c1e-2b4d-4e5f-9a7b-1c2d3e4f5a6b@example.de>
        Mime-Version: 1.0
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit
        User-Agent: slrn/1.0.3 (Linux)

        Jürgen Müller <juergen@example.de> wrote:
        > ich habe eine Frage zu den Modellen: Welches eignet sich am besten für
        > längere Texte auf Deutsch?

        Try @mistral-de, it was trained on German text.
        >> An older quote, nested.

        --\u{20}
        Alice    | Try @nobody here, this is the signature

        """
    )

    /// tin 2.6: 7bit, two groups, a request header, a body line starting with a dot.
    static let tin = wire(
        """
        From: Bob Smith <bob@example.net>
        Newsgroups: forllm.general,forllm.test
        Subject: tin test
        Date: Thu, 26 Nov 2026 09:15:00 -0000
        Organization: Example Org
        Message-ID: <tin.1234.5678@example.net>
        Mime-Version: 1.0
        Content-Type: text/plain; charset=US-ASCII
        Content-Transfer-Encoding: 7bit
        User-Agent: tin/2.6.2-20220130 ("Convalmore") (Linux/6.1.0 (x86_64))
        X-FORLLM-Request: default; model=llama3.2

        Just a test from tin.
        .a line starting with a dot
        ..and one with two

        """
    )

    /// Thunderbird, HTML composition: multipart/alternative, text part flowed.
    static let thunderbirdHTML = wire(
        """
        Message-ID: <f00d-cafe@example.de>
        Date: Wed, 25 Nov 2026 18:00:00 +0100
        MIME-Version: 1.0
        User-Agent: Mozilla Thunderbird
        Newsgroups: forllm.general
        From: =?UTF-8?B?SsO8cmdlbg==?= <juergen@example.de>
        Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=
        Content-Type: multipart/alternative;
         boundary="------------A1b2C3d4E5f6G7h8"

        This is a multi-part message in MIME format.
        --------------A1b2C3d4E5f6G7h8
        Content-Type: text/plain; charset=UTF-8; format=flowed
        Content-Transfer-Encoding: 8bit

        Das ist der Text mit Umlauten: äöü. Und er ist so lang, dass er\u{20}
        umbrochen wird.

        Zweiter Absatz.

        --------------A1b2C3d4E5f6G7h8
        Content-Type: text/html; charset=UTF-8
        Content-Transfer-Encoding: 8bit

        <!DOCTYPE html>
        <html>
          <body>
            <p>Das ist der Text mit <b>Umlauten</b>: äöü.</p>
          </body>
        </html>

        --------------A1b2C3d4E5f6G7h8--

        """
    )

    /// An older client: ISO-8859-1, quoted-printable with a soft line break, `=80` (the euro
    /// sign of Windows-1252, which Latin-1 labels carry in practice).
    static let quotedPrintableLatin1 = wire(
        """
        From: =?ISO-8859-1?Q?M=FCller=2C_Hans?= <hans@example.de>
        Newsgroups: forllm.general
        Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?iso-8859-1?q?M=FCnchen?=
        Date: Wed, 25 Nov 2026 10:00:00 +0100
        Message-ID: <qp.1@example.de>
        MIME-Version: 1.0
        Content-Type: text/plain; charset="ISO-8859-1"
        Content-Transfer-Encoding: quoted-printable

        Sch=F6ne Gr=FC=DFe aus M=FCnchen. Diese Zeile ist sehr lang und wird daher m=
        it einem weichen Umbruch kodiert.
        Preis: 10 =80, Gleichung: a=3Db

        """
    )

    /// A base64 UTF-8 body (Japanese and an emoji).
    static let base64UTF8 = wire(
        """
        From: Yuki <yuki@example.jp>
        Newsgroups: forllm.general
        Subject: =?UTF-8?B?44GT44KT44Gr44Gh44Gv?=
        Date: Wed, 25 Nov 2026 12:00:00 +0900
        Message-ID: <b64.1@example.jp>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: base64

        44GT44KT44Gr44Gh44Gv44CB5LiW55WM44CCDQpFbW9qaTog8J+OiSBhbmQgR3LDvMOfZQ0K

        """
    )

    static let all: [(name: String, bytes: [UInt8])] = [
        ("thunderbird", Self.thunderbird),
        ("slrn", Self.slrnFollowup),
        ("tin", Self.tin),
        ("thunderbird HTML", Self.thunderbirdHTML),
        ("quoted-printable Latin-1", Self.quotedPrintableLatin1),
        ("base64 UTF-8", Self.base64UTF8)
    ]
}

/// `text` with every LF turned into CRLF, as octets.
func wire(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    for byte in text.utf8 {
        if byte == 0x0A { bytes.append(0x0D) }
        bytes.append(byte)
    }
    return bytes
}

/// `bytes` as text, for readable expectations.
func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// A small valid article for posting tests, with a given Date.
func postable(
    date: String = "Wed, 25 Nov 2026 17:28:35 +0000",
    extraHeaders: String = "",
    body: String = "Hello.\n"
) -> [UInt8] {
    wire(
        "From: Jane Doe <jane@example.org>\nNewsgroups: forllm.general\nSubject: Hello\nDate: \(date)\n"
            + "Message-ID: <hello.1@example.org>\n" + extraHeaders + "\n" + body
    )
}
