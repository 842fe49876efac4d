/// JSON text as Python's `json.dumps` writes it (ASCII-only, `\uXXXX` escapes), for the
/// commands' `--json` output and the pages `serve` writes.
public enum JSONText {
  /// `s` as a JSON string literal.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 || u.value > 0x7E {
          for unit in String(u).utf16 {
            let hex = String(unit, radix: 16)
            out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
          }
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
