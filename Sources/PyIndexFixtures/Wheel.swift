internal import CZlib

/// Builds small but real wheels (zip archives with `METADATA` deflated as real wheels have it,
/// and `WHEEL` and `RECORD` stored),
/// so that pip and uv accept the files the fixture index serves.
public enum WheelBuilder {
  /// A wheel for `name` `version` with the given tag triple, e.g. `py3-none-any`.
  /// `padding` bytes of stored data go after `METADATA` (as a real wheel's modules would), so
  /// that reading `METADATA` from the end of a big wheel takes more than one read.
  /// `lineEnding` is how `METADATA`'s lines end (`"\r\n"`, as Windows wheels of cffi and grpcio have it).
  public static func wheel(
    name: String, version: String, tag: String = "py3-none-any", requires: [String] = [], padding: Int = 0, lineEnding: String = "\n", undeclared: Set<String> = []
  ) -> [UInt8] {
    let dist = name.replacingDashes() + "-" + version
    let metadata = metadata(name: name, version: version, requires: requires, lineEnding: lineEnding, undeclared: undeclared)
    let wheelFile = "Wheel-Version: 1.0\nGenerator: pyindex-fixtures\nRoot-Is-Purelib: true\nTag: \(tag)\n"
    let module = "__version__ = \"\(version)\"\n"
    let record = "\(name.replacingDashes())/__init__.py,,\n" + (padding > 0 ? "\(name.replacingDashes())/data.bin,,\n" : "") + "\(dist).dist-info/METADATA,,\n\(dist).dist-info/WHEEL,,\n\(dist).dist-info/RECORD,,\n"
    var entries: [(String, [UInt8], deflate: Bool)] = [
      ("\(name.replacingDashes())/__init__.py", Array(module.utf8), false),
      ("\(dist).dist-info/METADATA", metadata, true),
    ]
    if padding > 0 {
      var state: UInt32 = 0x9E37_79B9
      let data = (0..<padding).map { _ -> UInt8 in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
      }
      entries.append(("\(name.replacingDashes())/data.bin", data, false))
    }
    entries += [
      ("\(dist).dist-info/WHEEL", Array(wheelFile.utf8), false),
      ("\(dist).dist-info/RECORD", Array(record.utf8), false),
    ]
    return Zip.archive(entries)
  }

  /// The wheel's `METADATA` file, as ``wheel(name:version:tag:requires:)`` stores it (and as
  /// an index serves it for PEP 658).
  /// Every extra a `Requires-Dist` marker names is declared in `Provides-Extra`, as build
  /// backends do, but those in `undeclared` (metadata that forgot one).
  public static func metadata(name: String, version: String, requires: [String] = [], lineEnding: String = "\n", undeclared: Set<String> = []) -> [UInt8] {
    var lines = [
      "Metadata-Version: 2.1", "Name: \(name)", "Version: \(version)", "Summary: The \(name) fixture", "Keywords: fixture, \(name)",
      "Classifier: Programming Language :: Python :: 3", "Classifier: Private :: Do Not Upload", "Project-URL: Home, https://example.invalid/\(name)",
    ]
    var extras: [String] = []
    for r in requires {
      var rest = Substring(r)
      while let found = rest.firstRange(of: "extra == '") {
        let name = rest[found.upperBound...].prefix { $0 != "'" }
        if !extras.contains(String(name)), !undeclared.contains(String(name)) { extras.append(String(name)) }
        rest = rest[found.upperBound...]
      }
    }
    for e in extras { lines.append("Provides-Extra: \(e)") }
    for r in requires { lines.append("Requires-Dist: \(r)") }
    return Array((lines.joined(separator: lineEnding) + lineEnding + lineEnding + "A description.\(lineEnding)").utf8)
  }
}

extension String {
  func replacingDashes() -> String {
    String(self.map { $0 == "-" || $0 == "." ? "_" : $0 }).lowercased()
  }
}

/// A minimal zip writer: entries stored, or deflated (method 8) through zlib.
public enum Zip {
  static func archive(_ entries: [(String, [UInt8], deflate: Bool)]) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for (name, data, deflate) in entries {
      let offset = UInt32(out.count)
      let crc = CRC32.checksum(data)
      let nameBytes = Array(name.utf8)
      let body = deflate ? Zip.deflate(data) : data
      let method: UInt16 = deflate ? 8 : 0
      out += le32(0x0403_4b50) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0x21)
      out += le32(crc) + le32(UInt32(body.count)) + le32(UInt32(data.count)) + le16(UInt16(nameBytes.count)) + le16(0)
      out += nameBytes + body
      central += le32(0x0201_4b50) + le16(20) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0x21)
      central += le32(crc) + le32(UInt32(body.count)) + le32(UInt32(data.count)) + le16(UInt16(nameBytes.count))
      central += le16(0) + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(offset) + nameBytes
    }
    let cdOffset = UInt32(out.count)
    out += central
    out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
    out += le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
    return out
  }

  /// Raw DEFLATE of `data` (or gzip-wrapped, for `Content-Encoding: gzip`).
  static func deflate(_ data: [UInt8], gzip: Bool = false) -> [UInt8] {
    var stream = z_stream()
    guard (gzip ? czlib_deflate_init_gzip(&stream) : czlib_deflate_init_raw(&stream)) == Z_OK else { return data }
    defer { deflateEnd(&stream) }
    var input = data
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 32)
    input.withUnsafeMutableBufferPointer { inBuf in
      output.withUnsafeMutableBufferPointer { outBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = uInt(inBuf.count)
        stream.next_out = outBuf.baseAddress
        stream.avail_out = uInt(outBuf.count)
        _ = CZlib.deflate(&stream, Z_FINISH)
      }
    }
    return Array(output.prefix(Int(stream.total_out)))
  }

  /// gzip of `prefix` then `times` copies of `chunk`, compressed as it goes (the whole input
  /// is never held): a decompression bomb for tests of the bounds on what a server sends.
  public static func gzip(prefix: [UInt8], repeating chunk: [UInt8], times: Int) -> [UInt8] {
    var stream = z_stream()
    guard czlib_deflate_init_gzip(&stream) == Z_OK else { return [] }
    defer { deflateEnd(&stream) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    func feed(_ data: [UInt8], flush: Int32) {
      var input = data
      input.withUnsafeMutableBufferPointer { inBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = uInt(inBuf.count)
        repeat {
          let produced = buffer.withUnsafeMutableBufferPointer { outBuf in
            stream.next_out = outBuf.baseAddress
            stream.avail_out = uInt(outBuf.count)
            _ = CZlib.deflate(&stream, flush)
            return outBuf.count - Int(stream.avail_out)
          }
          out += buffer[0..<produced]
        } while stream.avail_out == 0 || stream.avail_in > 0
      }
    }
    feed(prefix, flush: Z_NO_FLUSH)
    for _ in 0..<times { feed(chunk, flush: Z_NO_FLUSH) }
    feed([], flush: Z_FINISH)
    return out
  }

  private static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
  private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
}

enum CRC32 {
  private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }
  static func checksum(_ data: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    for b in data { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
    return c ^ 0xFFFF_FFFF
  }
}
