extension StringProtocol {
  /// The lines of a text file as pip, `email` and RFC 822 readers take them: split at LF, CRLF
  /// or CR, empty lines kept. (In Swift `"\r\n"` is one `Character`, so splitting at `"\n"`
  /// alone leaves a CRLF file as one line.)
  public var textLines: [SubSequence] {
    split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
  }
}
