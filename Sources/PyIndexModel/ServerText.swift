/// Text a server supplied (yank reasons, file names, error bodies), made safe to print: an
/// index must not be able to drive the user's terminal with escape sequences, rewrite a line
/// with a carriage return, or fake a line of pyindex's own output with a newline.
public enum ServerText {
  /// `text` without control characters (C0, DEL, C1) and without Unicode bidirectional
  /// overrides and isolates; each is dropped.
  public static func clean(_ text: some StringProtocol) -> String {
    guard text.unicodeScalars.contains(where: isUnsafe) else { return String(text) }
    var out = String.UnicodeScalarView()
    out.append(contentsOf: text.unicodeScalars.filter { !isUnsafe($0) })
    return String(out)
  }

  /// Whether a scalar is a control character (C0, DEL, C1) or a bidirectional control
  /// (embeddings, overrides, isolates, the marks).
  public static func isUnsafe(_ s: Unicode.Scalar) -> Bool {
    switch s.value {
    case 0x00...0x1F, 0x7F...0x9F: true
    case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
    default: false
    }
  }
}
