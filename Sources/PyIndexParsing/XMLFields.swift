internal import CLibXML2

/// The text of named elements in a small XML answer (STS's `AssumeRoleWithWebIdentityResponse`,
/// its `ErrorResponse`), read with libxml2's streaming reader: no network, no DTD, no entity
/// expanded, so an answer cannot make the parser fetch or grow anything.
public enum XMLFields {
  /// The text of the first element with each local name in `names` (CDATA included); names
  /// absent from the document are absent from the answer. Nil when the bytes are not XML.
  public static func read(_ bytes: [UInt8], names: Set<String>) -> [String: String]? {
    guard !bytes.isEmpty, bytes.count <= 1 << 20 else { return nil }
    let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
    let reader = bytes.withUnsafeBufferPointer { b in
      b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { xmlReaderForMemory($0, Int32(b.count), nil, nil, options) }
    }
    guard let reader else { return nil }
    defer { xmlFreeTextReader(reader) }
    var found: [String: String] = [:]
    var open: [String] = []
    var done: Set<String> = []
    while true {
      let r = xmlTextReaderRead(reader)
      if r == 0 { break }
      if r < 0 { return found.isEmpty ? nil : found }
      let type = xmlTextReaderNodeType(reader)
      switch type {
      case 1:  // element
        let name = xmlTextReaderConstLocalName(reader).map { String(cString: $0) } ?? ""
        if xmlTextReaderIsEmptyElement(reader) == 1 {
          if names.contains(name), found[name] == nil { found[name] = "" }
          done.insert(name)
        } else {
          open.append(name)
        }
      case 15:  // end of element
        if let name = open.popLast(), names.contains(name) {
          if found[name] == nil { found[name] = "" }
          done.insert(name)
        }
      case 3, 4:  // text, CDATA
        if let name = open.last, names.contains(name), !done.contains(name), let v = xmlTextReaderConstValue(reader) {
          found[name, default: ""] += String(cString: v)
        }
      default: break
      }
    }
    return found
  }
}
