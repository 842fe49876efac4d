/// Numbers that arrive from outside — a server's headers and pages, a flag, a variable —
/// parsed in one place with checked arithmetic. Every parser answers nil for text out of its
/// range instead of trapping: a `Content-Length` of 30 digits, `max-age=1e300`,
/// `Retry-After: nan`, an HTTP date with a huge hour. Callers treat nil as an unreadable
/// value (ignore the header, refuse the page, or report a usage error).
public enum WireNumber {
  /// A count of bytes or items: ASCII digits only (no sign, no exponent, no spaces inside),
  /// surrounding spaces and tabs ignored; nil when empty, not digits, or beyond `Int.max`.
  public static func count(_ text: some StringProtocol) -> Int? {
    let digits = trimmed(text)
    guard !digits.isEmpty else { return nil }
    var n = 0
    for c in digits {
      guard c >= 0x30, c <= 0x39 else { return nil }
      let (times10, o1) = n.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(Int(c - 0x30))
      guard !o1, !o2 else { return nil }
      n = sum
    }
    return n
  }

  /// A duration in seconds as HTTP writes it (`Retry-After`'s delta-seconds, `max-age`):
  /// digits with an optional fraction (`30`, `1.5`), nothing else — no sign, exponent, `nan`
  /// or `inf`. Values past `limit` come back as `limit`, so the caller's arithmetic stays
  /// finite. nil when the text is not such a number.
  public static func seconds(_ text: some StringProtocol, limit: Double) -> Double? {
    let t = trimmed(text)
    guard let first = t.first, first >= 0x30, first <= 0x39 else { return nil }
    var whole = 0.0
    var i = t.startIndex
    while i < t.endIndex, t[i] >= 0x30, t[i] <= 0x39 {
      whole = min(whole * 10 + Double(t[i] - 0x30), limit * 10 + 10)
      i += 1
    }
    var fraction = 0.0
    if i < t.endIndex {
      guard t[i] == UInt8(ascii: "."), t.index(after: i) < t.endIndex else { return nil }
      var scale = 0.1
      i += 1
      while i < t.endIndex {
        guard t[i] >= 0x30, t[i] <= 0x39 else { return nil }
        fraction += Double(t[i] - 0x30) * scale
        scale /= 10
        i += 1
      }
    }
    return min(whole + fraction, limit)
  }

  /// A user's duration in seconds (`--timeout`, `PIP_TIMEOUT`): a positive, finite number no
  /// larger than ``maxUserSeconds``; nil otherwise (the caller says it is a usage error).
  public static func userSeconds(_ value: Double) -> Double? {
    value.isFinite && value > 0 && value <= maxUserSeconds ? value : nil
  }

  /// The longest `--timeout` accepted: one day.
  public static let maxUserSeconds = 86_400.0

  /// Whole milliseconds of a duration in seconds, saturating: `nan` and negatives are 0, and
  /// anything past a year is a year, so the result always fits the clocks it is handed to.
  public static func milliseconds(_ seconds: Double) -> Int64 {
    guard seconds.isFinite, seconds > 0 else { return seconds == .infinity ? yearMilliseconds : 0 }
    return Int64(min(seconds, Double(yearMilliseconds) / 1000) * 1000)
  }

  static let yearMilliseconds: Int64 = 365 * 86_400 * 1000

  /// Seconds since 1970 of an HTTP date in the IMF-fixdate form RFC 9110 requires senders to
  /// use (`Sun, 06 Nov 1994 08:49:37 GMT`), each field in its range; nil otherwise.
  public static func httpDate(_ text: some StringProtocol) -> Int? {
    let parts = Array(trimmed(text)).split(separator: UInt8(ascii: " "))
    guard parts.count == 6, parts[5].elementsEqual("GMT".utf8), parts[0].last == UInt8(ascii: ","),
      parts[1].count == 2, parts[3].count == 4, let day = count(String(decoding: parts[1], as: UTF8.self)),
      let year = count(String(decoding: parts[3], as: UTF8.self)), (1...31).contains(day)
    else { return nil }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let m = months.firstIndex(where: { $0.utf8.elementsEqual(parts[2]) }) else { return nil }
    let hms = parts[4].split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
    guard hms.count == 3, hms.allSatisfy({ $0.count == 2 }),
      let h = count(String(decoding: hms[0], as: UTF8.self)), let mi = count(String(decoding: hms[1], as: UTF8.self)),
      let s = count(String(decoding: hms[2], as: UTF8.self)), h < 24, mi < 60, s <= 60
    else { return nil }
    // Four-digit years and two-digit fields: this arithmetic cannot overflow.
    return Timestamp.days(year: year, month: m + 1, day: day) * 86_400 + h * 3600 + mi * 60 + s
  }

  private static func trimmed(_ text: some StringProtocol) -> ArraySlice<UInt8> {
    var bytes = ArraySlice(text.utf8)
    while let f = bytes.first, f == 0x20 || f == 0x09 { bytes.removeFirst() }
    while let l = bytes.last, l == 0x20 || l == 0x09 { bytes.removeLast() }
    return bytes
  }
}
