internal import CZlib

import PyIndexSystem

/// Reads a wheel's `*.dist-info/METADATA` from the zip on disk: the central directory from
/// the end of the file, then that one entry (stored or deflated). Nothing else is read.
package enum WheelMetadata {
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

  /// Reads `METADATA` from the wheel at `path`.
  package static func read(path: String) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw Failure.notAZip(String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw Failure.notAZip("cannot stat") }
    let size = Int(st.st_size)
    let tailLength = min(size, tailSize)
    var archive = Archive(size: size, tail: try pread(fd, count: tailLength, at: size - tailLength))
    for _ in 0..<Archive.maxSteps {
      switch try archive.step() {
      case .done(let text): return text
      case .need(let range): try archive.supply(try pread(fd, count: range.count, at: range.lowerBound), for: range)
      }
    }
    throw Failure.notAZip("METADATA not found in \(Archive.maxSteps) reads")
  }

  /// How much of the end of a zip is read first: the end-of-central-directory record with the
  /// longest comment, and usually the whole central directory of a wheel.
  static let tailSize = 65_557

  /// A zip being read from its end, by whatever can fetch byte ranges (a file, HTTP `Range`):
  /// ``step()`` says which bytes it needs next, or gives `METADATA`.
  struct Archive {
    enum Step: Equatable {
      case need(Range<Int>)
      case done(String)
    }
    let size: Int
    /// Known bytes: the tail, and whatever was supplied since.
    private var chunks: [(offset: Int, bytes: [UInt8])]

    init(size: Int, tail: [UInt8]) {
      self.size = size
      self.chunks = [(size - tail.count, tail)]
    }

    /// At most this many reads after the tail: central directory, local header, data.
    static let maxSteps = 4

    /// Adds the bytes of `range`, which ``step()`` asked for.
    mutating func supply(_ bytes: [UInt8], for range: Range<Int>) throws {
      guard bytes.count == range.count else { throw Failure.notAZip("\(range.count) bytes asked at \(range.lowerBound), \(bytes.count) read") }
      chunks.append((range.lowerBound, bytes))
    }

    /// The bytes of `range` if they are known.
    private func bytes(_ range: Range<Int>) -> ArraySlice<UInt8>? {
      for c in chunks where c.offset <= range.lowerBound && range.upperBound <= c.offset + c.bytes.count {
        return c.bytes[(range.lowerBound - c.offset)..<(range.upperBound - c.offset)]
      }
      return nil
    }

    func step() throws -> Step {
      let tail = chunks[0].bytes
      guard tail.count >= 22, let eocd = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail[$0] == 0x50 && tail[$0 + 1] == 0x4B && tail[$0 + 2] == 5 && tail[$0 + 3] == 6 }) else {
        throw Failure.notAZip("no end of central directory")
      }
      let entries = Int(le16(tail, eocd + 10))
      let cdSize = Int(le32(tail, eocd + 12)), cdOffset = Int(le32(tail, eocd + 16))
      guard entries != 0xFFFF, cdOffset != 0xFFFF_FFFF else { throw Failure.unsupported("a zip64 archive") }
      guard cdOffset + cdSize <= size else { throw Failure.notAZip("central directory out of bounds") }
      guard let cdSlice = bytes(cdOffset..<(cdOffset + cdSize)) else { return .need(cdOffset..<(cdOffset + cdSize)) }
      let cd = Array(cdSlice)
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
        guard uncompressed <= 16 << 20, compressed <= 16 << 20 else { throw Failure.unsupported("METADATA larger than 16 MiB") }
        guard localOffset + 30 <= cdOffset else { throw Failure.notAZip("bad local header offset") }
        guard let header = bytes(localOffset..<(localOffset + 30)) else {
          // The header and, most likely, the data in one read: the local extra field is
          // usually the central one.
          return .need(localOffset..<min(cdOffset, localOffset + 30 + nameLength + extraLength + compressed + 512))
        }
        let h = Array(header)
        guard le32(h, 0) == 0x0403_4B50 else { throw Failure.notAZip("bad local header") }
        let dataOffset = localOffset + 30 + Int(le16(h, 26)) + Int(le16(h, 28))
        guard dataOffset + compressed <= cdOffset else { throw Failure.notAZip("METADATA out of bounds") }
        guard let data = bytes(dataOffset..<(dataOffset + compressed)) else { return .need(dataOffset..<(dataOffset + compressed)) }
        switch method {
        case 0: return .done(String(decoding: data, as: UTF8.self))
        case 8: return .done(String(decoding: try inflate(Array(data), expected: uncompressed), as: UTF8.self))
        default: throw Failure.unsupported("METADATA compressed with method \(method)")
        }
      }
      throw Failure.noMetadata
    }
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
      let n = buf.withUnsafeMutableBytes { LibC.pread(fd, $0.baseAddress! + done, count - done, Int64(offset + done)) }
      if n < 0 { if errno == EINTR { continue }; throw Failure.notAZip(String(cString: strerror(errno))) }
      if n == 0 { break }
      done += n
    }
    return Array(buf.prefix(done))
  }

  static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
  static func le32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24 }
}
