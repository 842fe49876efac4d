/// Watches the bytes of an HTML page on their way into libxml2 and stops a page whose tags
/// would make parsing slow or large: libxml2 checks each attribute of a tag against the ones
/// before it (time quadratic in their number: 80,000 attributes took 10 s) and holds an open
/// tag whole (a tag left open for 1000 MiB of a gzip page took 289 MiB). A real index page
/// has a handful of attributes per tag and tags under a few KiB.
///
/// A small tokenizer, as HTML reads a tag: `<` and a letter, `/` or `!` opens one; inside it,
/// a value opened by a quote right after `=` runs to the same quote; `>` elsewhere closes it.
struct TagGuard {
  /// The most attributes one tag may have.
  static let maxAttributes = 1024
  /// The most bytes one tag may span.
  static let maxTagBytes = 1 << 20

  private enum State { case text, opened, name, spaced, equals, quoted(UInt8), unquoted }
  private var state = State.text
  private var attributes = 0
  private var bytes = 0

  /// Takes the next bytes of the page; the reason to stop, or nil to go on.
  mutating func feed(_ chunk: UnsafeRawBufferPointer) -> String? {
    for b in chunk {
      switch state {
      case .text:
        if b == UInt8(ascii: "<") { state = .opened; bytes = 1; attributes = 0 }
        continue
      case .opened:
        let letter = (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z")
        state = letter || b == UInt8(ascii: "/") || b == UInt8(ascii: "!") ? .name : .text
        if case .text = state { continue }
      case .name, .unquoted:
        if b == UInt8(ascii: ">") { state = .text; continue }
        if TagGuard.isSpace(b) { state = .spaced } else if b == UInt8(ascii: "="), case .name = state { state = .equals }
      case .spaced:
        if b == UInt8(ascii: ">") { state = .text; continue }
        if b == UInt8(ascii: "=") { state = .equals } else if !TagGuard.isSpace(b) {
          attributes += 1
          state = .name
        }
      case .equals:
        if b == UInt8(ascii: ">") { state = .text; continue }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { state = .quoted(b) } else if !TagGuard.isSpace(b) { state = .unquoted }
      case .quoted(let q):
        if b == q { state = .name }
      }
      bytes += 1
      if attributes > TagGuard.maxAttributes { return "a tag has more than \(TagGuard.maxAttributes) attributes" }
      if bytes > TagGuard.maxTagBytes { return "a tag is longer than \(TagGuard.maxTagBytes >> 20) MiB" }
    }
    return nil
  }

  private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
}
