/// The parts of a distribution's core metadata (`METADATA`, `PKG-INFO`; RFC 822 headers) the
/// resolver reads.
public struct CoreMetadata: Sendable, Hashable {
  public var name: String?
  public var version: String?
  /// `Requires-Dist` values, as written (PEP 508, markers included).
  public var requiresDist: [String] = []
  public var requiresPython: String?
  /// `Provides-Extra` values, normalized (PEP 685).
  public var providesExtra: [String] = []

  /// Parses the header block; the body (the long description, after the first empty line) is
  /// ignored. Lines end in LF, CRLF or CR (Windows wheels ship CRLF); continuation lines
  /// (starting with whitespace) join the header before them.
  public init(_ text: String) {
    var headers: [(String, String)] = []
    for line in text.textLines {
      if line.isEmpty { break }  // end of headers
      if let f = line.first, f == " " || f == "\t", !headers.isEmpty {
        headers[headers.count - 1].1 += " " + line.trimmingASCIIWhitespace()
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingASCIIWhitespace()))
    }
    for (key, value) in headers {
      switch key {
      case "name": name = value
      case "version": version = value
      case "requires-dist": requiresDist.append(value)
      case "requires-python": requiresPython = value
      case "provides-extra": providesExtra.append(ProjectName.normalize(value))
      default: break
      }
    }
  }
}
