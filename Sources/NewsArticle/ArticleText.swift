/// An article body as text a person (or a model) reads.
public enum ArticleText {
    /// The body as text with LF line ends: Content-Transfer-Encoding (7bit, 8bit, binary,
    /// quoted-printable, base64) and charset (UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15,
    /// Windows-1252; unknown → UTF-8 with replacement) decoded; for `multipart/*`, the first
    /// `text/plain` part (recursively); `format=flowed` (RFC 3676, with DelSp) joined back into
    /// paragraphs and space-unstuffed. Invalid input degrades to best effort, never throws.
    public static func plainText(of article: Article) -> String {
        fatalError("unimplemented")
    }

    /// `text` without what was not written by the author of this article: quoted lines
    /// (starting with `>`, after optional spaces), a one-line attribution directly above a
    /// quote block ("X wrote:", "On ..., X wrote:", "X schrieb:"), and the signature (from the
    /// last line that is exactly `-- ` to the end). Runs of blank lines collapse to one;
    /// leading and trailing blank lines are removed.
    public static func authoredText(_ text: String) -> String {
        fatalError("unimplemented")
    }
}
