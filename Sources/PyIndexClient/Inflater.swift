import CZlib

/// A gzip or zlib body (`Content-Encoding: gzip`/`deflate`) inflated piece by piece as it
/// arrives, so a page is never held whole and a small compressed body cannot become a large
/// one in memory: the caller counts what comes out and stops at its bound.
final class Inflater {
  private var stream = z_stream()
  private var ended = false
  private var output = [UInt8](repeating: 0, count: 1 << 16)

  /// What went wrong with the compressed data.
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  init() throws(Failure) {
    guard czlib_inflate_init_auto(&stream) == Z_OK else { throw Failure(description: "zlib could not start") }
  }

  deinit { inflateEnd(&stream) }

  /// Inflates `input`, handing each piece of output to `emit` (at most 64 KiB at a time).
  func feed(_ input: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
    guard !ended, let base = input.baseAddress, input.count > 0 else { return }
    stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)
    var produced = 0
    repeat {
      var status = Z_OK
      produced = output.withUnsafeMutableBufferPointer { out in
        stream.next_out = out.baseAddress
        stream.avail_out = uInt(out.count)
        status = inflate(&stream, Z_NO_FLUSH)
        return out.count - Int(stream.avail_out)
      }
      // Z_BUF_ERROR: no progress was possible (more input is needed); not an error here.
      guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
        throw Failure(description: "the compressed body does not inflate (zlib \(status))")
      }
      if produced > 0 { try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
      if status == Z_STREAM_END { ended = true }
      if status == Z_BUF_ERROR, produced == 0 { break }
    } while !ended && (stream.avail_in > 0 || produced == output.count)
  }

  /// Checks that the compressed data ended where the body did.
  func finish() throws(Failure) {
    guard ended else { throw Failure(description: "the compressed body is cut short") }
  }
}
