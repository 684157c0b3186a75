/// Wrapping text for newsreaders: RFC 3676 `format=flowed`, DelSp=no.
/// - SeeAlso: [RFC 3676](https://datatracker.ietf.org/doc/html/rfc3676)
public enum Wrapping {
    /// Wraps `text` (LF line ends) as format=flowed: paragraph lines broken at spaces so that
    /// no line exceeds `width` octets where a break is possible, each soft break marked by a
    /// trailing space; lines starting with a space, `>` or `From ` space-stuffed; trailing
    /// spaces of hard lines removed. Preformatted text is kept as fixed lines: fenced code
    /// blocks (```` ``` ```` or `~~~`) and lines indented by four spaces or a tab; such a line
    /// longer than 998 octets is still broken (at a character boundary) so the article stays
    /// valid. Returns LF-separated lines, no trailing LF.
    public static func flowed(_ text: String, width: Int = 78) -> String {
        fatalError("unimplemented")
    }
}
