extension String {
    /// The longest start of the string of at most `bytes` UTF-8 bytes that does not end
    /// inside a Unicode scalar.
    func utf8Prefix(_ bytes: Int) -> String {
        guard bytes < self.utf8.count else { return self }
        var end = self.utf8.index(self.utf8.startIndex, offsetBy: max(0, bytes))
        while end.samePosition(in: self.unicodeScalars) == nil {
            end = self.utf8.index(before: end)
        }
        return String(String.UnicodeScalarView(self.unicodeScalars[..<end]))
    }
}
