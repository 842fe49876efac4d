/// Text made safe for where it goes: HTML attribute values and text, URL components.
public enum MarkupText {
  /// `text` for HTML (text or a quoted attribute value): `&`, `<`, `>` and `"` as entities.
  public static func html(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(c)
      }
    }
    return out
  }

  /// RFC 3986 percent-encoding: every byte but the unreserved `A-Z a-z 0-9 - . _ ~` (and those
  /// in `keep`) as `%XX`, upper-case hex — SigV4's canonical form, a path segment, a query value.
  public static func percentEncoded(_ text: String, keep: Set<UInt8> = []) -> String {
    var out = ""
    for b in text.utf8 {
      switch b {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
        out.unicodeScalars.append(Unicode.Scalar(b))
      default:
        if keep.contains(b) {
          out.unicodeScalars.append(Unicode.Scalar(b))
        } else {
          out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
        }
      }
    }
    return out
  }
}
