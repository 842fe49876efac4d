/// An instant from RFC 3339 text (`2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123456+02:00`,
/// a space for the `T`) or a date alone (`2024-05-01`, midnight UTC), as PEP 700's
/// `upload-time` and pip's `--uploaded-prior-to` write them; compared as seconds since 1970.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Seconds since 1970-01-01T00:00:00Z, fractions kept.
  public let seconds: Double
  public let text: String

  public init?(_ raw: String) {
    let t = Array(raw.utf8)
    func number(_ r: Range<Int>) -> Int? {
      guard r.upperBound <= t.count, !r.isEmpty else { return nil }
      var n = 0
      for c in t[r] {
        guard c >= 48, c <= 57 else { return nil }
        n = n * 10 + Int(c - 48)
      }
      return n
    }
    guard t.count >= 10, t[4] == UInt8(ascii: "-"), t[7] == UInt8(ascii: "-"),
      let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    var seconds = Double(Timestamp.days(year: year, month: month, day: day) * 86_400)
    if t.count > 10 {
      guard t[10] == UInt8(ascii: "T") || t[10] == UInt8(ascii: "t") || t[10] == UInt8(ascii: " "), t.count >= 19,
        t[13] == UInt8(ascii: ":"), t[16] == UInt8(ascii: ":"),
        let h = number(11..<13), let m = number(14..<16), let s = number(17..<19), h < 24, m < 60, s <= 60
      else { return nil }
      seconds += Double(h * 3600 + m * 60 + s)
      var i = 19
      if i < t.count, t[i] == UInt8(ascii: ".") {
        var j = i + 1
        while j < t.count, t[j] >= 48, t[j] <= 57 { j += 1 }
        guard j > i + 1, let fraction = Double("0" + String(decoding: t[i..<j], as: UTF8.self)) else { return nil }
        seconds += fraction
        i = j
      }
      guard i < t.count else { return nil }  // RFC 3339 needs the offset
      if t[i] == UInt8(ascii: "Z") || t[i] == UInt8(ascii: "z") {
        guard i + 1 == t.count else { return nil }
      } else {
        guard t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-"), i + 6 == t.count, t[i + 3] == UInt8(ascii: ":"),
          let oh = number(i + 1..<i + 3), let om = number(i + 4..<i + 6)
        else { return nil }
        let offset = Double(oh * 3600 + om * 60)
        seconds += t[i] == UInt8(ascii: "+") ? -offset : offset
      }
    }
    self.seconds = seconds
    text = raw
  }

  /// Days from 1970-01-01 to the date (proleptic Gregorian; Howard Hinnant's algorithm).
  static func days(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }
  public static func == (a: Timestamp, b: Timestamp) -> Bool { a.seconds == b.seconds }
  public func hash(into h: inout Hasher) { h.combine(seconds) }
  public var description: String { text }
}
