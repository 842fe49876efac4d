internal import CLibXML2
public import PyIndexModel

import PyIndexSystem

/// Reads PEP 503 HTML project pages with libxml2's pull SAX parser.
///
/// No document tree is built and input is consumed as it is read, so memory stays flat
/// whatever the size of the page: each anchor becomes a ``DistributionFile`` handed to the
/// sink, then forgotten. Element and attribute names are case-insensitive and entities are
/// decoded once; broken markup is recovered, never fatal.
public enum HTMLPageParser {
  /// Parses a page from an open file descriptor (read to its end; not closed).
  /// - Parameters:
  ///   - pageURL: the final URL of the page, which relative links and `<base href>` resolve against.
  ///   - charset: the `Content-Type` charset; UTF-8 when nil.
  ///   - sink: called once per anchor that has an `href`, with the base URL its link resolves
  ///     against (the page URL, or the first `<base href>` met before it).
  /// - Returns: the page's base URL, API version, link count and warnings.
  public static func parse(fileDescriptor fd: Int32, pageURL: SafeURL, charset: String? = nil, sink: (DistributionFile, SafeURL?) -> Void) throws(ParseError) -> PageInfo {
    try run(input: Input(fd: fd), pageURL: pageURL, charset: charset) { batch in batch.forEach { sink($0, batch.base) } }
  }

  /// Parses a page from an open file descriptor, handing its links over in batches that have
  /// not been turned into ``DistributionFile`` values yet (see ``FileBatch``).
  public static func parse(fileDescriptor fd: Int32, pageURL: SafeURL, charset: String? = nil, batches: (FileBatch) -> Void) throws(ParseError) -> PageInfo {
    try run(input: Input(fd: fd), pageURL: pageURL, charset: charset, batches: batches)
  }

  /// Parses a page held in memory.
  public static func parse(bytes: [UInt8], pageURL: SafeURL, charset: String? = nil, sink: (DistributionFile, SafeURL?) -> Void) throws(ParseError) -> PageInfo {
    try run(input: Input(bytes: bytes), pageURL: pageURL, charset: charset) { batch in batch.forEach { sink($0, batch.base) } }
  }

  /// What libxml2 reads from: a descriptor or bytes, with NUL bytes turned into spaces
  /// (libxml2 takes a NUL for the end of the document and would drop every later link).
  private final class Input {
    let fd: Int32
    /// Bytes read ahead from `fd` (libxml2 asks for about 4 KB at a time), or the whole page.
    var bytes: [UInt8]
    var offset = 0
    var available = 0
    var failed: Int32 = 0
    /// Why the page was stopped before libxml2 saw all of it (``TagGuard``).
    var refused: String?
    var guarded = TagGuard()
    static let block = 256 * 1024
    init(fd: Int32) {
      self.fd = fd
      bytes = [UInt8](repeating: 0, count: Input.block)
    }
    init(bytes: [UInt8]) {
      fd = -1
      self.bytes = bytes
      available = bytes.count
    }

    func read(_ buffer: UnsafeMutablePointer<CChar>, _ length: Int32) -> Int32 {
      if offset == available, fd >= 0 {
        var n: Int
        repeat { n = bytes.withUnsafeMutableBytes { LibC.read(fd, $0.baseAddress, Input.block) } } while n < 0 && errno == EINTR
        if n < 0 { failed = errno; return -1 }
        offset = 0
        available = n
      }
      let n = min(Int(length), available - offset)
      guard n > 0 else { return 0 }
      let raw = UnsafeMutableRawPointer(buffer)
      bytes.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
      offset += n
      if let reason = guarded.feed(UnsafeRawBufferPointer(start: raw, count: n)) {
        refused = reason
        return -1
      }
      // NUL bytes become spaces: libxml2 takes a NUL for the end of the document.
      var p = raw
      var left = n
      while left > 0, let hit = memchr(p, 0, left) {
        hit.storeBytes(of: 0x20, as: UInt8.self)
        let consumed = hit - p + 1
        p = hit + 1
        left -= consumed
      }
      return Int32(n)
    }
  }

  private static let initialise: Void = { xmlInitParser() }()

  private static func run(input: Input, pageURL: SafeURL, charset: String?, batches: (FileBatch) -> Void) throws(ParseError) -> PageInfo {
    _ = initialise
    return try withoutActuallyEscaping(batches) { escapingSink throws(ParseError) in
      let collector = Collector(pageURL: pageURL, sink: escapingSink)
      guard let ctxt = htmlNewParserCtxt() else { throw .unreadable("libxml2 could not allocate a parser") }
      defer { htmlFreeParserCtxt(ctxt) }
      var handler = htmlSAXHandler()
      handler.startElement = { ctx, name, attrs in
        guard let ctx, let name else { return }
        Unmanaged<Collector>.fromOpaque(ctx).takeUnretainedValue().start(name, attrs)
      }
      ctxt.pointee.sax.pointee = handler
      ctxt.pointee.userData = Unmanaged.passUnretained(collector).toOpaque()
      collector.ctxt = ctxt
      let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue | HTML_PARSE_NOBLANKS.rawValue) | Int32(XML_PARSE_HUGE.rawValue)
      let readCallback: xmlInputReadCallback = { context, buffer, length in
        guard let context, let buffer else { return -1 }
        return Unmanaged<Input>.fromOpaque(context).takeUnretainedValue().read(buffer, length)
      }
      let closeCallback: xmlInputCloseCallback = { _ in 0 }
      let doc = withExtendedLifetime(input) {
        htmlCtxtReadIO(ctxt, readCallback, closeCallback, Unmanaged.passUnretained(input).toOpaque(), nil, charset ?? "UTF-8", options)
      }
      if let doc { xmlFreeDoc(doc) }
      collector.flush()
      if let reason = input.refused { throw .unreadable(reason) }
      if input.failed != 0 { throw .unreadable("read failed (errno \(input.failed))") }
      if let doc = ctxt.pointee.myDoc { xmlFreeDoc(doc); ctxt.pointee.myDoc = nil }
      if let error = collector.error { throw error }
      return collector.info
    }
  }

  private final class Collector {
    let pageURL: SafeURL
    let sink: (FileBatch) -> Void
    var packer = FileBatch.Packer()
    var info = PageInfo()
    var baseSet = false
    var error: ParseError?
    var ctxt: htmlParserCtxtPtr?

    init(pageURL: SafeURL, sink: @escaping (FileBatch) -> Void) {
      self.pageURL = pageURL
      self.sink = sink
      info.baseURL = pageURL
    }

    func start(_ name: UnsafePointer<xmlChar>, _ attrs: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
      switch (name[0], name[1]) {
      case (UInt8(ascii: "a"), 0): anchor(attrs)
      case (UInt8(ascii: "b"), _) where strcmp(name, "base") == 0:
        if !baseSet, let href = attribute("href", attrs) {
          baseSet = true
          flush()  // links before the <base> resolve against the page URL
          info.baseURL = pageURL.resolving(href)?.withoutFragment
        }
      case (UInt8(ascii: "m"), _) where strcmp(name, "meta") == 0:
        let metaName = attribute("name", attrs)?.lowercased()
        if metaName == "pypi:project-status", let content = attribute("content", attrs) {
          info.projectStatus = LinkAttributes.projectStatus(content)
        } else if metaName == "pypi:project-status-reason", let content = attribute("content", attrs), !content.isEmpty {
          info.projectStatusReason = content
        }
        if metaName == "pypi:repository-version", let content = attribute("content", attrs) {
          info.apiVersion = content.trimmingCharacters(in: " ")
          do { try LinkAttributes.checkAPIVersion(info.apiVersion, warnings: &info.warnings) } catch {
            self.error = error
            if let ctxt { xmlStopParser(ctxt) }
          }
        }
      case (UInt8(ascii: "i"), _) where strcmp(name, "input") == 0:
        if attribute("type", attrs)?.lowercased() == "password" { info.hasPasswordField = true }
      default: break
      }
    }

    /// Packs the anchor's attributes; no strings are made here (see ``FileBatch``).
    private func anchor(_ attrs: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
      guard let attrs else { return }
      var href: UnsafePointer<xmlChar>?
      var link = FileBatch.PackedLink(hrefStart: -1, hrefEnd: -1)
      var i = 0
      while let n = attrs[i] {
        let v = attrs[i + 1]
        switch n[0] {
        case UInt8(ascii: "h") where strcmp(n, "href") == 0: href = v
        case UInt8(ascii: "d"):
          if strcmp(n, "data-requires-python") == 0 {
            if let v { (link.requiresPythonStart, link.requiresPythonEnd) = packer.append(v) } else { (link.requiresPythonStart, link.requiresPythonEnd) = (-1, -1) }
          } else if strcmp(n, "data-yanked") == 0 {
            if let v { (link.yankedStart, link.yankedEnd) = packer.append(v) } else { (link.yankedStart, link.yankedEnd) = (Int32(packer.bytes.count), Int32(packer.bytes.count)) }
          } else if strcmp(n, "data-core-metadata") == 0 {
            link.metadataKind = 1
            (link.metadataStart, link.metadataEnd) = v.map { packer.append($0) } ?? (-1, -1)
          } else if strcmp(n, "data-provenance") == 0, let v {
            (link.provenanceStart, link.provenanceEnd) = packer.append(v)
          } else if strcmp(n, "data-dist-info-metadata") == 0, link.metadataKind != 1 {
            link.metadataKind = 2
            (link.metadataStart, link.metadataEnd) = v.map { packer.append($0) } ?? (-1, -1)
          }
        default: break
        }
        i += 2
      }
      guard let href, !Collector.isBlank(href) else { return }
      (link.hrefStart, link.hrefEnd) = packer.append(href)
      info.linkCount += 1
      packer.links.append(link)
      if packer.links.count == FileBatch.Packer.size { flush() }
    }

    /// Hands over the links packed so far.
    func flush() {
      guard !packer.links.isEmpty else { return }
      sink(packer.take(base: info.baseURL))
    }

    /// Whether a C string is empty or only whitespace.
    static func isBlank(_ p: UnsafePointer<xmlChar>) -> Bool {
      var k = 0
      while p[k] != 0 {
        if p[k] != 0x20, p[k] != 0x09, p[k] != 0x0A, p[k] != 0x0D { return false }
        k += 1
      }
      return true
    }

    private func attribute(_ wanted: StaticString, _ attrs: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) -> String? {
      guard let attrs else { return nil }
      var i = 0
      while let n = attrs[i] {
        if strcmp(n, wanted) == 0 { return attrs[i + 1].map { String(cString: $0) } ?? "" }
        i += 2
      }
      return nil
    }

  }
}

/// `strcmp` against a literal, without bridging a Swift String per call.
private func strcmp(_ a: UnsafePointer<xmlChar>, _ b: StaticString) -> Int32 {
  let p = b.utf8Start
  let n = b.utf8CodeUnitCount
  for k in 0..<n where a[k] != p[k] { return Int32(a[k]) - Int32(p[k]) }
  return Int32(a[n])
}


