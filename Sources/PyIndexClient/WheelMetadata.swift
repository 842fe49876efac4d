internal import CZlib

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads a wheel's `*.dist-info/METADATA` from the zip on disk: the central directory from
/// the end of the file, then that one entry (stored or deflated). Nothing else is read.
enum WheelMetadata {
  enum Failure: Error, CustomStringConvertible {
    case notAZip(String)
    case noMetadata
    case unsupported(String)
    var description: String {
      switch self {
      case .notAZip(let why): "not a zip archive (\(why))"
      case .noMetadata: "no .dist-info/METADATA in the wheel"
      case .unsupported(let what): what
      }
    }
  }

  static func read(path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw Failure.notAZip(String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw Failure.notAZip("cannot stat") }
    let size = Int(st.st_size)
    // End of central directory: in the last 64 KiB + 22 bytes.
    let tailLength = min(size, 65_557)
    let tail = try pread(fd, count: tailLength, at: size - tailLength)
    guard tail.count >= 22, let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 5 && tail[$0 + 3] == 6 }) else {
      throw Failure.notAZip("no end of central directory")
    }
    let entries = Int(le16(tail, eocd + 10))
    let cdSize = Int(le32(tail, eocd + 12)), cdOffset = Int(le32(tail, eocd + 16))
    guard cdOffset + cdSize <= size else { throw Failure.notAZip("central directory out of bounds") }
    let cd = try pread(fd, count: cdSize, at: cdOffset)
    var p = 0
    for _ in 0..<entries {
      guard p + 46 <= cd.count, le32(cd, p) == 0x0201_4B50 else { throw Failure.notAZip("bad central directory entry") }
      let method = le16(cd, p + 10)
      let compressed = Int(le32(cd, p + 20)), uncompressed = Int(le32(cd, p + 24))
      let nameLength = Int(le16(cd, p + 28)), extraLength = Int(le16(cd, p + 30)), commentLength = Int(le16(cd, p + 32))
      let localOffset = Int(le32(cd, p + 42))
      guard p + 46 + nameLength <= cd.count else { throw Failure.notAZip("bad central directory entry") }
      let name = String(decoding: cd[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
      p += 46 + nameLength + extraLength + commentLength
      let parts = name.split(separator: "/")
      guard parts.count == 2, parts[0].hasSuffix(".dist-info"), parts[1] == "METADATA" else { continue }
      guard uncompressed <= 16 << 20 else { throw Failure.unsupported("METADATA larger than 16 MiB") }
      let header = try pread(fd, count: 30, at: localOffset)
      guard header.count == 30, le32(header, 0) == 0x0403_4B50 else { throw Failure.notAZip("bad local header") }
      let dataOffset = localOffset + 30 + Int(le16(header, 26)) + Int(le16(header, 28))
      let data = try pread(fd, count: compressed, at: dataOffset)
      switch method {
      case 0: return String(decoding: data, as: UTF8.self)
      case 8: return String(decoding: try inflate(data, expected: uncompressed), as: UTF8.self)
      default: throw Failure.unsupported("METADATA compressed with method \(method)")
      }
    }
    throw Failure.noMetadata
  }

  /// Raw DEFLATE (zip's method 8) through zlib.
  static func inflate(_ input: [UInt8], expected: Int) throws -> [UInt8] {
    var stream = z_stream()
    guard czlib_inflate_init_raw(&stream) == Z_OK else { throw Failure.unsupported("zlib could not start") }
    defer { inflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: max(expected, 1))
    var input = input
    let status = input.withUnsafeMutableBufferPointer { inBuf in
      output.withUnsafeMutableBufferPointer { outBuf in
        stream.next_in = inBuf.baseAddress
        stream.avail_in = uInt(inBuf.count)
        stream.next_out = outBuf.baseAddress
        stream.avail_out = uInt(outBuf.count)
        return CZlib.inflate(&stream, Z_FINISH)
      }
    }
    guard status == Z_STREAM_END else { throw Failure.notAZip("METADATA does not inflate (zlib \(status))") }
    return Array(output.prefix(Int(stream.total_out)))
  }

  static func pread(_ fd: Int32, count: Int, at offset: Int) throws -> [UInt8] {
    var buf = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = buf.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
      if n < 0 { if errno == EINTR { continue }; throw Failure.notAZip(String(cString: strerror(errno))) }
      if n == 0 { break }
      done += n
    }
    return Array(buf.prefix(done))
  }

  static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
  static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24 }
}
