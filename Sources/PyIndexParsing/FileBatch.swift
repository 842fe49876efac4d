public import PyIndexModel

/// Files of a page, handed over a few hundred at a time.
///
/// The HTML parser packs each link's attributes into one byte buffer instead of making
/// strings, so the thread that runs libxml2 does no per-link allocation; whoever takes the
/// batch (another core, for a listing) turns links into ``DistributionFile`` values with
/// ``forEach(_:)``. The JSON parser hands over files already made.
public struct FileBatch: Sendable {
  /// The URL the batch's links resolve against (the page URL or its `<base href>`); nil when
  /// a `<base href>` was not a URL.
  public let base: SafeURL?
  private let storage: Storage
  /// Set on batches of a page fetched over http(s): links whose URL is not http(s) (`file:`,
  /// `http+unix:`, ...) are skipped and handed here instead.
  private var refused: (@Sendable (_ file: DistributionFile, _ scheme: String) -> Void)? = nil

  private enum Storage: Sendable {
    case packed(bytes: [UInt8], links: [PackedLink])
    case files([DistributionFile])
  }

  /// Offsets into the byte buffer; -1 marks an absent attribute.
  struct PackedLink: Sendable {
    var hrefStart: Int32, hrefEnd: Int32
    var requiresPythonStart: Int32 = -1, requiresPythonEnd: Int32 = -1
    var yankedStart: Int32 = -1, yankedEnd: Int32 = -1
    /// 0: no metadata attribute; 1: `data-core-metadata`; 2: `data-dist-info-metadata` only.
    var metadataKind: Int32 = 0
    var metadataStart: Int32 = -1, metadataEnd: Int32 = -1
    var provenanceStart: Int32 = -1, provenanceEnd: Int32 = -1
  }

  /// A batch of files already made.
  public init(files: [DistributionFile], base: SafeURL?) {
    self.base = base
    storage = .files(files)
  }

  init(bytes: [UInt8], links: [PackedLink], base: SafeURL?) {
    self.base = base
    storage = .packed(bytes: bytes, links: links)
  }

  /// This batch with only the links an index fetched over http(s) may give: those whose
  /// URL, resolved against ``base``, is http or https. Every other link (a `file:` URL, a
  /// Unix socket, a `<base href>` of another scheme) is skipped and reported to `refused`.
  public func webLinksOnly(refused: @escaping @Sendable (_ file: DistributionFile, _ scheme: String) -> Void) -> FileBatch {
    var copy = self
    copy.refused = refused
    return copy
  }

  /// The scheme a link resolves to against `base`, when it is not http or https; `baseIsWeb`
  /// is ``isWebScheme(_:)`` of `base`, worked out once per batch. Byte by byte, and only the
  /// first few bytes of a link: this runs for every link of a 100,000-file page.
  static func foreignScheme(_ href: String, base: SafeURL?, baseIsWeb: Bool) -> String? {
    if isWebScheme(href) ?? baseIsWeb { return nil }
    return (URLReference.scheme(of: href) ?? base?.scheme) ?? "(none)"
  }

  /// true for a reference that starts with `http:` or `https:` (any case), false for another
  /// scheme, nil for a relative reference (no scheme).
  static func isWebScheme(_ s: String) -> Bool? {
    var lowered: UInt64 = 0  // the first bytes of the scheme, lower-cased, packed
    var length = 0
    for b in s.utf8 {
      if b == UInt8(ascii: ":") {
        guard length > 0 else { return nil }
        return lowered == 0x68_74_74_70 || lowered == 0x68_74_74_70_73  // "http", "https"
      }
      let letter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
      guard letter || (length > 0 && ((b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-") || b == UInt8(ascii: "."))) else { return nil }
      if length < 8 { lowered = lowered << 8 | UInt64(letter ? b | 0x20 : b) }
      length += 1
      if length > 8 { lowered = UInt64.max }  // too long for http(s); still a scheme if a ':' follows
    }
    return nil
  }

  public var count: Int {
    switch storage {
    case .packed(_, let links): links.count
    case .files(let files): files.count
    }
  }

  /// Every file of the batch, in page order.
  public func forEach(_ body: (DistributionFile) throws -> Void) rethrows {
    switch storage {
    case .files(let files):
      let baseIsWeb = base?.isWeb ?? false
      for f in files {
        if let refused, let scheme = FileBatch.foreignScheme(f.href.text, base: base, baseIsWeb: baseIsWeb) { refused(f, scheme); continue }
        try body(f)
      }
    case .packed(let bytes, let links):
      let baseIsWeb = base?.isWeb ?? false
      try bytes.withUnsafeBufferPointer { buffer in
        func text(_ start: Int32, _ end: Int32) -> String? {
          guard start >= 0 else { return nil }
          return String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(start)..<Int(end)]), as: UTF8.self)
        }
        for link in links {
          guard let rawHref = text(link.hrefStart, link.hrefEnd) else { continue }
          let href = FileBatch.needsTrim(rawHref) ? rawHref.trimmingCharacters(in: " \t\n\r") : rawHref
          let rp = text(link.requiresPythonStart, link.requiresPythonEnd).flatMap { $0.trimmingCharacters(in: " \t\n").isEmpty ? nil : $0 }
          let metadata: [String: String]? = link.metadataKind == 0 ? nil : LinkAttributes.metadata(text(link.metadataStart, link.metadataEnd) ?? "true")
          var file = DistributionFile(filename: nil, href: href, requiresPython: rp, yanked: text(link.yankedStart, link.yankedEnd), coreMetadata: metadata)
          file.provenance = text(link.provenanceStart, link.provenanceEnd).flatMap { $0.isEmpty ? nil : $0 }
          if let refused, let scheme = FileBatch.foreignScheme(href, base: base, baseIsWeb: baseIsWeb) { refused(file, scheme); continue }
          try body(file)
        }
      }
    }
  }

  /// Whether some file of the batch satisfies `predicate` (files are made one by one, and
  /// only until the first match).
  public func contains(where predicate: (DistributionFile) -> Bool) -> Bool {
    struct Found: Error {}
    do { try forEach { if predicate($0) { throw Found() } } } catch { return true }
    return false
  }

  static func needsTrim(_ s: String) -> Bool {
    guard let f = s.utf8.first, let l = s.utf8.last else { return false }
    return f <= 0x20 || l <= 0x20
  }

  /// Builds packed batches on the parser thread.
  struct Packer {
    var bytes: [UInt8] = []
    var links: [PackedLink] = []
    static let size = 512

    init() {
      bytes.reserveCapacity(Packer.size * 160)
      links.reserveCapacity(Packer.size)
    }

    /// Appends a NUL-terminated attribute value; returns its range.
    mutating func append(_ value: UnsafePointer<UInt8>) -> (Int32, Int32) {
      let start = Int32(bytes.count)
      var n = 0
      while value[n] != 0 { n += 1 }
      bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: n))
      return (start, Int32(bytes.count))
    }

    /// The batch so far, and a fresh start.
    mutating func take(base: SafeURL?) -> FileBatch {
      let batch = FileBatch(bytes: bytes, links: links, base: base)
      self = Packer()
      return batch
    }
  }
}
