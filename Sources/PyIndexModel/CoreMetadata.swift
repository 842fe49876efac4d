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
  /// Every header as written, in order (a folded value keeps its line breaks), for pip's JSON
  /// form of the metadata (``json``).
  public var fields: [Field] = []
  /// The body after the headers (the long description), "" when there is none.
  public var body: String = ""

  /// One header line of the metadata.
  public struct Field: Sendable, Hashable {
    public let name: String
    public let value: String
  }

  /// Parses the header block; the body (the long description, after the first empty line) is
  /// ignored. Lines end in LF, CRLF or CR (Windows wheels ship CRLF); continuation lines
  /// (starting with whitespace) join the header before them.
  public init(_ text: String) {
    var headers: [(String, String)] = []
    var raw: [(String, String)] = []
    var bodyLines: [Substring] = []
    var inBody = false
    for line in text.textLines {
      if inBody { bodyLines.append(line); continue }
      if line.isEmpty { inBody = true; continue }  // end of headers
      if let f = line.first, f == " " || f == "\t", !headers.isEmpty {
        headers[headers.count - 1].1 += " " + line.trimmingASCIIWhitespace()
        raw[raw.count - 1].1 += "\n" + line
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { continue }
      let value = line[line.index(after: colon)...].trimmingASCIIWhitespace()
      headers.append((line[..<colon].lowercased(), value))
      raw.append((String(line[..<colon]), value))
    }
    fields = raw.map { Field(name: $0.0, value: $0.1) }
    // The body as pip's parser gives it: its lines, each ended by "\n" (a final line without one
    // stays without).
    let ended = bodyLines.last?.isEmpty == true
    if ended { bodyLines.removeLast() }
    body = bodyLines.isEmpty ? "" : bodyLines.joined(separator: "\n") + (ended ? "\n" : "")
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

  /// The fields pip's installation report shows, in its order; `true` for those that may repeat
  /// (pip's `METADATA_FIELDS`).
  static let jsonFields: [(String, Bool)] = [
    ("Metadata-Version", false), ("Name", false), ("Version", false), ("Dynamic", true), ("Platform", true),
    ("Supported-Platform", true), ("Summary", false), ("Description", false), ("Description-Content-Type", false),
    ("Keywords", false), ("Home-page", false), ("Download-URL", false), ("Author", false), ("Author-email", false),
    ("Maintainer", false), ("Maintainer-email", false), ("License", false), ("License-Expression", false),
    ("License-File", true), ("Classifier", true), ("Requires-Dist", true), ("Requires-Python", false),
    ("Requires-External", true), ("Project-URL", true), ("Provides-Extra", true), ("Provides-Dist", true),
    ("Obsoletes-Dist", true),
  ]

  /// The metadata as pip's installation report writes it (its `msg_to_json`): known fields in
  /// its order, names lower-cased with `_`, repeatable ones as lists, `keywords` split, and the
  /// body as `description`. JSON text.
  public var json: String {
    let q = JSONText.quote
    var members: [String] = []
    for (field, multi) in CoreMetadata.jsonFields {
      let values = fields.filter { $0.name.lowercased() == field.lowercased() }.map(\.value)
      guard let first = values.first else { continue }
      let key = String(field.lowercased().map { $0 == "-" ? "_" : $0 })
      let value: String
      if key == "description", !body.isEmpty {
        // pip replaces the header's value with the body, in the header's place.
        value = q(body)
      } else if multi {
        value = "[" + values.map(q).joined(separator: ", ") + "]"
      } else if key == "keywords" {
        let words = first.contains(",") ? first.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingASCIIWhitespace() } : first.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        value = "[" + words.map(q).joined(separator: ", ") + "]"
      } else {
        value = q(first)
      }
      members.append(q(key) + ": " + value)
    }
    if !body.isEmpty, !fields.contains(where: { $0.name.lowercased() == "description" }) { members.append(q("description") + ": " + q(body)) }
    return "{" + members.joined(separator: ", ") + "}"
  }
}
