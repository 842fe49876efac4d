public import PyIndexModel

import PyIndexSystem

/// Reads PEP 691 JSON project pages as a stream.
///
/// The body is read in 64 KiB chunks; each entry of `files` is decoded into a small value,
/// turned into a ``DistributionFile``, handed to the sink and dropped, so memory does not
/// grow with the number of files. Unknown keys are skipped, `_`-prefixed ones included.
public enum JSONPageParser {
  /// Parses a page from an open file descriptor (read to its end; not closed).
  public static func parse(fileDescriptor fd: Int32, pageURL: SafeURL, detail: PageDetail = .full, sink: (DistributionFile, SafeURL?) -> Void) throws(ParseError) -> PageInfo {
    var reader = ByteReader(source: .fd(fd))
    return try parse(&reader, pageURL: pageURL, detail: detail, sink: sink)
  }

  /// Parses a page from an open file descriptor, handing its files over a few hundred at a time.
  public static func parse(fileDescriptor fd: Int32, pageURL: SafeURL, detail: PageDetail = .full, batches: (FileBatch) -> Void) throws(ParseError) -> PageInfo {
    var reader = ByteReader(source: .fd(fd))
    var pending: [DistributionFile] = []
    pending.reserveCapacity(FileBatch.Packer.size)
    let info = try parse(&reader, pageURL: pageURL, detail: detail) { file, _ in
      pending.append(file)
      if pending.count == FileBatch.Packer.size {
        batches(FileBatch(files: pending, base: pageURL))
        pending.removeAll(keepingCapacity: true)
      }
    }
    if !pending.isEmpty { batches(FileBatch(files: pending, base: pageURL)) }
    return info
  }

  /// Parses a page held in memory.
  public static func parse(bytes: [UInt8], pageURL: SafeURL, detail: PageDetail = .full, sink: (DistributionFile, SafeURL?) -> Void) throws(ParseError) -> PageInfo {
    var reader = ByteReader(source: .memory(bytes))
    return try parse(&reader, pageURL: pageURL, detail: detail, sink: sink)
  }

  private static func parse(_ r: inout ByteReader, pageURL: SafeURL, detail: PageDetail, sink: (DistributionFile, SafeURL?) -> Void) throws(ParseError) -> PageInfo {
    var info = PageInfo()
    info.baseURL = pageURL
    var unknown = Set<String>()
    try r.expect(UInt8(ascii: "{"))
    if try r.consumeIf(UInt8(ascii: "}")) {
      try r.expectEnd()
      return info
    }
    repeat {
      let key = try r.string()
      try r.expect(UInt8(ascii: ":"))
      switch key {
      case "meta":
        if case .object(let meta) = try r.value(depth: 0) {
          if case .string(let v)? = meta["api-version"] {
            info.apiVersion = v
            try LinkAttributes.checkAPIVersion(v, warnings: &info.warnings)
          }
          // The spec's own example puts it here.
          if info.projectStatus == nil, let status = meta["project-status"] { JSONPageParser.status(status, into: &info) }
        }
      case "project-status":
        JSONPageParser.status(try r.value(depth: 0), into: &info)
      case "files":
        try r.expect(UInt8(ascii: "["))
        if try !r.consumeIf(UInt8(ascii: "]")) {
          repeat {
            guard try r.peek() == UInt8(ascii: "{") else { throw r.failure("a files entry is not an object") }
            info.linkCount += 1
            sink(try fileEntry(&r, detail: detail, unknown: &unknown), pageURL)
          } while try r.separator(closing: UInt8(ascii: "]"))
        }
      default:
        try r.skipValue(depth: 0)
      }
    } while try r.separator(closing: UInt8(ascii: "}"))
    try r.expectEnd()
    for alg in unknown.sorted() { info.warnings.append("the page gives '\(alg)' digests, which pyindex cannot verify; they were ignored") }
    return info
  }

  /// PEP 792's `project-status`: an object with `status` (or `state`, as the PEP's text
  /// spells it) and `reason`.
  static func status(_ value: JSONValue, into info: inout PageInfo) {
    guard case .object(let o) = value else { return }
    if case .string(let s)? = o["status"] ?? o["state"] { info.projectStatus = LinkAttributes.projectStatus(s) }
    if case .string(let r)? = o["reason"], !r.isEmpty { info.projectStatusReason = r }
  }

  /// Decodes one `files` entry key by key, keeping only what the page model uses.
  private static func fileEntry(_ r: inout ByteReader, detail: PageDetail, unknown: inout Set<String>) throws(ParseError) -> DistributionFile {
    let listing = detail == .listing
    var filename: String? = nil, href: String? = nil, hashes: [String: String] = [:]
    var requiresPython: String? = nil, yanked: String? = nil, size: Int? = nil, uploadTime: String? = nil, provenance: String? = nil
    var core: JSONValue? = nil, distInfo: JSONValue? = nil
    try r.expect(UInt8(ascii: "{"))
    if try !r.consumeIf(UInt8(ascii: "}")) {
      repeat {
        let key = try r.fileKey()
        try r.expect(UInt8(ascii: ":"))
        if listing, key != "filename", key != "yanked", key != "requires-python", key != "url" {
          try r.skipValue(depth: 2)
          continue
        }
        switch key {
        case "filename": if case .string(let v) = try r.value(depth: 2) { filename = v }
        case "url": if case .string(let v) = try r.value(depth: 2) { href = v }
        case "hashes": try hashesObject(&r, into: &hashes, unknown: &unknown)
        case "requires-python":
          if case .string(let v) = try r.value(depth: 2), !v.trimmingCharacters(in: " ").isEmpty { requiresPython = v }
        case "yanked":
          switch try r.value(depth: 2) {
          case .bool(true): yanked = ""
          case .string(let reason) where !reason.isEmpty: yanked = reason
          default: break
          }
        case "core-metadata": core = try r.value(depth: 2)
        case "dist-info-metadata": distInfo = try r.value(depth: 2)
        case "size": if case .number(let n) = try r.value(depth: 2) { size = Int(n) }
        case "upload-time": if case .string(let v) = try r.value(depth: 2) { uploadTime = v }
        case "provenance": if case .string(let v) = try r.value(depth: 2), !v.isEmpty { provenance = v }
        default: try r.skipValue(depth: 2)
        }
      } while try r.separator(closing: UInt8(ascii: "}"))
    }
    guard let href = href ?? (listing && filename != nil ? "" : nil) else { throw r.failure("a files entry has no 'url'") }
    var name = filename ?? URLReference.filename(of: href)
    if name.utf8.contains(UInt8(ascii: "/")) { name = URLReference.filename(of: name) }
    var file = DistributionFile(
      filename: name, href: href, hashes: hashes, requiresPython: requiresPython, yanked: yanked, coreMetadata: coreMetadataDigests(core ?? distInfo),
      size: size, uploadTime: uploadTime)
    file.provenance = provenance
    return file
  }

  /// A `hashes` object: digests of known algorithms into `hashes`, other algorithms' names into
  /// `unknown` (a value that is no object is skipped).
  private static func hashesObject(_ r: inout ByteReader, into hashes: inout [String: String], unknown: inout Set<String>) throws(ParseError) {
    guard try r.peek() == UInt8(ascii: "{") else { return try r.skipValue(depth: 2) }
    try r.expect(UInt8(ascii: "{"))
    if try r.consumeIf(UInt8(ascii: "}")) { return }
    repeat {
      let alg = try r.string().asciiLowercased()
      try r.expect(UInt8(ascii: ":"))
      guard try r.peek() == UInt8(ascii: "\"") else { try r.skipValue(depth: 3); continue }
      let hex = try r.string()
      if hex.isEmpty { continue }
      if LinkAttributes.knownAlgorithms.contains(alg) { hashes[alg] = hex.asciiLowercased() } else { unknown.insert(alg) }
    } while try r.separator(closing: UInt8(ascii: "}"))
  }

  /// PEP 714's `core-metadata` (or PEP 691's `dist-info-metadata`): `true`, or the metadata
  /// file's digests; nil when the file has none.
  private static func coreMetadataDigests(_ value: JSONValue?) -> [String: String]? {
    switch value {
    case .bool(true)?: return [:]
    case .object(let h)?:
      var d: [String: String] = [:]
      for (alg, v) in h {
        if case .string(let hex) = v, LinkAttributes.knownAlgorithms.contains(alg.asciiLowercased()) { d[alg.asciiLowercased()] = hex.asciiLowercased() }
      }
      return d
    default: return nil
    }
  }
}

/// A decoded JSON value (only for the small objects inside a page).
enum JSONValue {
  case null, bool(Bool), number(String), string(String), array([JSONValue]), object([String: JSONValue])
}

/// A buffered byte reader over a file descriptor or memory, with a small JSON grammar.
struct ByteReader {
  enum Source { case fd(Int32), memory([UInt8]) }
  private let source: Source
  private var buffer: [UInt8]
  private var pos = 0
  private var consumed = 0
  private var eof = false
  static let chunk = 64 * 1024
  static let maxDepth = 64

  init(source: Source) {
    self.source = source
    switch source {
    case .memory(let b): buffer = b; eof = true
    case .fd: buffer = []
    }
  }

  func failure(_ reason: String) -> ParseError { .malformedJSON(offset: consumed + pos, reason: reason) }

  private mutating func fill() throws(ParseError) -> Bool {
    guard !eof, case .fd(let fd) = source else { return false }
    consumed += buffer.count
    buffer = [UInt8](repeating: 0, count: ByteReader.chunk)
    var n = 0
    repeat {
      n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, ByteReader.chunk) }
    } while n < 0 && errno == EINTR
    if n < 0 { throw .unreadable("read failed (errno \(errno))") }
    buffer.removeLast(ByteReader.chunk - n)
    pos = 0
    if n == 0 { eof = true; return false }
    return true
  }

  @inline(__always) private mutating func peekRaw() throws(ParseError) -> UInt8? {
    if pos < buffer.count { return buffer[pos] }
    return try fill() ? buffer[pos] : nil
  }

  /// The next non-whitespace byte, not consumed.
  mutating func peek() throws(ParseError) -> UInt8? {
    while let c = try peekRaw() {
      if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return c }
    }
    return nil
  }

  mutating func expect(_ c: UInt8) throws(ParseError) {
    guard try peek() == c else { throw failure("expected '\(Character(Unicode.Scalar(c)))'") }
    pos += 1
  }

  mutating func consumeIf(_ c: UInt8) throws(ParseError) -> Bool {
    if try peek() == c { pos += 1; return true }
    return false
  }

  /// After a member: true for `,`, false for the closing bracket.
  mutating func separator(closing: UInt8) throws(ParseError) -> Bool {
    let c = try peek()
    pos += 1
    if c == UInt8(ascii: ",") { return true }
    if c == closing { return false }
    throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
  }

  mutating func expectEnd() throws(ParseError) {
    if try peek() != nil { throw failure("unexpected data after the page object") }
  }

  /// The keys of a `files` entry the model reads; other keys come back decoded.
  static let fileKeys: [StaticString] = ["filename", "url", "hashes", "requires-python", "yanked", "core-metadata", "dist-info-metadata", "size", "upload-time"]

  /// Reads an object key; a known `files` key is matched in the buffer without building a String.
  mutating func fileKey() throws(ParseError) -> String {
    guard try peek() == UInt8(ascii: "\"") else { return try string() }
    let start = pos + 1
    let match: Int? = buffer.withUnsafeBufferPointer { b in
      for (k, key) in ByteReader.fileKeys.enumerated() {
        let n = key.utf8CodeUnitCount
        guard start + n < b.count, b[start + n] == UInt8(ascii: "\"") else { continue }
        if memcmp(b.baseAddress! + start, key.utf8Start, n) == 0 { return k }
      }
      return nil
    }
    guard let k = match else { return try string() }
    pos = start + ByteReader.fileKeys[k].utf8CodeUnitCount + 1
    return ByteReader.fileKeyStrings[k]
  }

  static let fileKeyStrings: [String] = fileKeys.map { $0.description }

  mutating func string() throws(ParseError) -> String {
    try expect(UInt8(ascii: "\""))
    // Fast path: the closing quote is in the buffer and nothing needs unescaping.
    let start = pos
    let found: Int? = buffer.withUnsafeBufferPointer { b in
      var i = start
      while i < b.count {
        let c = b[i]
        if c == UInt8(ascii: "\"") { return i }
        if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
        i += 1
      }
      return nil
    }
    if let end = found {
      pos = end + 1
      return buffer.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }
    var out: [UInt8] = []
    while true {
      guard let c = try peekRaw() else { throw failure("unterminated string") }
      pos += 1
      switch c {
      case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let e = try peekRaw() else { throw failure("unterminated escape") }
        pos += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try hex4()
          if (0xD800..<0xDC00).contains(scalar), try peekRaw() == UInt8(ascii: "\\") {
            pos += 1
            guard try peekRaw() == UInt8(ascii: "u") else { throw failure("bad surrogate escape") }
            pos += 1
            let low = try hex4()
            scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
          }
          let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
          out.append(contentsOf: Array(String(Character(u)).utf8))
        default: throw failure("invalid escape")
        }
      default:
        if c < 0x20 { throw failure("control character in string") }
        out.append(c)
      }
      if out.count > ByteReader.maxString { throw failure("a string longer than \(ByteReader.maxString >> 20) MiB") }
    }
  }

  /// The longest string or number a page may hold: an index names files, and no honest name,
  /// URL or reason comes near it.
  static let maxString = 16 << 20

  private mutating func hex4() throws(ParseError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard let c = try peekRaw() else { throw failure("short \\u escape") }
      pos += 1
      let d: UInt32
      switch c {
      case 0x30...0x39: d = UInt32(c - 0x30)
      case 0x41...0x46: d = UInt32(c - 0x41 + 10)
      case 0x61...0x66: d = UInt32(c - 0x61 + 10)
      default: throw failure("bad \\u escape")
      }
      v = v << 4 | d
    }
    return v
  }

  private mutating func literal(_ word: StaticString) throws(ParseError) {
    let p = word.utf8Start
    for k in 0..<word.utf8CodeUnitCount {
      guard try peekRaw() == p[k] else { throw failure("invalid literal") }
      pos += 1
    }
  }

  private mutating func number() throws(ParseError) -> String {
    var out: [UInt8] = []
    while let c = try peekRaw(), (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
      out.append(c); pos += 1
      if out.count > ByteReader.maxString { throw failure("a number longer than \(ByteReader.maxString >> 20) MiB") }
    }
    if out.isEmpty { throw failure("unexpected character") }
    return String(decoding: out, as: UTF8.self)
  }

  mutating func value(depth: Int) throws(ParseError) -> JSONValue {
    guard depth < ByteReader.maxDepth else { throw failure("nesting too deep") }
    guard let c = try peek() else { throw failure("unexpected end of input") }
    switch c {
    case UInt8(ascii: "{"):
      pos += 1
      var o: [String: JSONValue] = [:]
      if try consumeIf(UInt8(ascii: "}")) { return .object(o) }
      repeat {
        let k = try string()
        try expect(UInt8(ascii: ":"))
        o[k] = try value(depth: depth + 1)
      } while try separator(closing: UInt8(ascii: "}"))
      return .object(o)
    case UInt8(ascii: "["):
      pos += 1
      var a: [JSONValue] = []
      if try consumeIf(UInt8(ascii: "]")) { return .array(a) }
      repeat { a.append(try value(depth: depth + 1)) } while try separator(closing: UInt8(ascii: "]"))
      return .array(a)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    default: return .number(try number())
    }
  }

  /// Skips a value without keeping it (for keys the page model does not use).
  mutating func skipValue(depth: Int) throws(ParseError) {
    guard depth < ByteReader.maxDepth else { throw failure("nesting too deep") }
    guard let c = try peek() else { throw failure("unexpected end of input") }
    switch c {
    case UInt8(ascii: "{"):
      pos += 1
      if try consumeIf(UInt8(ascii: "}")) { return }
      repeat {
        _ = try string()
        try expect(UInt8(ascii: ":"))
        try skipValue(depth: depth + 1)
      } while try separator(closing: UInt8(ascii: "}"))
    case UInt8(ascii: "["):
      pos += 1
      if try consumeIf(UInt8(ascii: "]")) { return }
      repeat { try skipValue(depth: depth + 1) } while try separator(closing: UInt8(ascii: "]"))
    case UInt8(ascii: "\""):
      try skipString()
    default:
      _ = try value(depth: depth)
    }
  }

  /// Skips a string without decoding it.
  private mutating func skipString() throws(ParseError) {
    try expect(UInt8(ascii: "\""))
    while true {
      guard let c = try peekRaw() else { throw failure("unterminated string") }
      pos += 1
      if c == UInt8(ascii: "\"") { return }
      if c == UInt8(ascii: "\\") {
        guard let e = try peekRaw() else { throw failure("unterminated escape") }
        pos += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
        case UInt8(ascii: "u"): _ = try hex4()
        default: throw failure("invalid escape")
        }
      } else if c < 0x20 {
        throw failure("control character in string")
      }
    }
  }
}
