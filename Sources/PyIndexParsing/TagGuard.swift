import PyIndexSystem

/// Watches the bytes of an HTML page on their way into libxml2 and stops a page whose tags
/// would make parsing slow or large: libxml2 checks each attribute of a tag against the ones
/// before it (time quadratic in their number: 80,000 attributes took 10 s) and holds an open
/// tag whole (a tag left open for 1000 MiB of a gzip page took 289 MiB). A real index page
/// has a handful of attributes per tag and tags under a few KiB.
///
/// A small tokenizer, as HTML reads a tag: `<` and a letter, `/` or `!` opens one; inside it,
/// a value opened by a quote right after `=` runs to the same quote; `>` elsewhere closes it.
/// Text between tags and quoted values are skipped with `memchr`, so the cost per page stays
/// small next to libxml2's own.
struct TagGuard {
  /// The most attributes one tag may have.
  static let maxAttributes = 1024
  /// The most bytes one tag may span.
  static let maxTagBytes = 1 << 20

  private enum State: UInt8 { case text, opened, name, spaced, equals, quoted, unquoted }
  private var state = State.text
  private var quote: UInt8 = 0
  private var attributes = 0
  /// Where the open tag began, counted in bytes fed so far.
  private var tagStart = 0
  private var fed = 0

  /// Takes the next bytes of the page; the reason to stop, or nil to go on.
  mutating func feed(_ chunk: UnsafeRawBufferPointer) -> String? {
    guard let base = chunk.baseAddress else { return nil }
    let bytes = base.assumingMemoryBound(to: UInt8.self)
    let count = chunk.count
    var i = 0
    while i < count {
      switch state {
      case .text:
        // Straight to the next `<`.
        guard let hit = memchr(bytes + i, Int32(UInt8(ascii: "<")), count - i) else { i = count; continue }
        i = UnsafeRawPointer(hit) - UnsafeRawPointer(bytes) + 1
        state = .opened
        attributes = 0
        tagStart = fed + i - 1
        continue
      case .quoted:
        // Straight to the closing quote.
        guard let hit = memchr(bytes + i, Int32(quote), count - i) else { i = count; continue }
        i = UnsafeRawPointer(hit) - UnsafeRawPointer(bytes) + 1
        state = .name
      case .opened:
        let b = bytes[i]
        let letter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
        state = letter || b == UInt8(ascii: "/") || b == UInt8(ascii: "!") ? .name : .text
        i += 1
      case .name, .unquoted:
        let b = bytes[i]
        i += 1
        if b == UInt8(ascii: ">") { state = .text; continue }
        if TagGuard.isSpace(b) { state = .spaced } else if b == UInt8(ascii: "="), state == .name { state = .equals }
      case .spaced:
        let b = bytes[i]
        i += 1
        if b == UInt8(ascii: ">") { state = .text; continue }
        if b == UInt8(ascii: "=") { state = .equals } else if !TagGuard.isSpace(b) {
          attributes += 1
          state = .name
          if attributes > TagGuard.maxAttributes { return "a tag has more than \(TagGuard.maxAttributes) attributes" }
        }
      case .equals:
        let b = bytes[i]
        i += 1
        if b == UInt8(ascii: ">") { state = .text; continue }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
          quote = b
          state = .quoted
        } else if !TagGuard.isSpace(b) {
          state = .unquoted
        }
      }
    }
    // Checked once a chunk (libxml2 asks for a few KiB at a time): a tag may pass the bound
    // by one chunk before it is stopped.
    fed += count
    if state != .text, fed - tagStart > TagGuard.maxTagBytes { return "a tag is longer than \(TagGuard.maxTagBytes >> 20) MiB" }
    return nil
  }

  /// White space for this purpose: every byte up to and including the space.
  private static func isSpace(_ b: UInt8) -> Bool { b <= 0x20 }
}
