import PyIndexModel
import Testing

/// Numbers from servers and users: parsed, bounded, never a trap.
@Suite("numbers from outside")
struct WireNumberTests {
  @Test("counts: digits only, nil past Int.max")
  func counts() {
    #expect(WireNumber.count("0") == 0)
    #expect(WireNumber.count(" 1024\t") == 1024)
    #expect(WireNumber.count("9223372036854775807") == Int.max)
    #expect(WireNumber.count("9223372036854775808") == nil)
    #expect(WireNumber.count("99999999999999999999999999999999") == nil)
    for bad in ["", " ", "+5", "-1", "1e3", "0x10", "1 2", "١٢"] { #expect(WireNumber.count(bad) == nil, "\(bad)") }
  }

  @Test("seconds: digits and a fraction, bounded; nan, inf, exponents and signs are not numbers")
  func seconds() {
    #expect(WireNumber.seconds("30", limit: 60) == 30)
    #expect(WireNumber.seconds("1.5", limit: 60) == 1.5)
    #expect(WireNumber.seconds("600", limit: 60) == 60)
    #expect(WireNumber.seconds(String(repeating: "9", count: 400), limit: 60) == 60)
    for bad in ["", "nan", "inf", "1e300", "-1", "+1", "1.", ".5", "1.2.3", "Infinity"] {
      #expect(WireNumber.seconds(bad, limit: 60) == nil, "\(bad)")
    }
  }

  @Test("user durations: positive, finite, at most a day")
  func userSeconds() {
    #expect(WireNumber.userSeconds(15) == 15)
    for bad in [0, -1, .infinity, .nan, 1e16, 86_401] { #expect(WireNumber.userSeconds(bad) == nil, "\(bad)") }
  }

  @Test("milliseconds saturate instead of trapping")
  func milliseconds() {
    #expect(WireNumber.milliseconds(1.5) == 1500)
    #expect(WireNumber.milliseconds(.nan) == 0)
    #expect(WireNumber.milliseconds(-3) == 0)
    #expect(WireNumber.milliseconds(1e300) == 365 * 86_400 * 1000)
    #expect(WireNumber.milliseconds(.infinity) == 365 * 86_400 * 1000)
  }

  @Test("HTTP dates: IMF-fixdate with every field in range")
  func httpDates() {
    #expect(WireNumber.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    #expect(WireNumber.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
    #expect(WireNumber.httpDate("Mon, 29 Feb 2016 12:00:00 GMT") == 1_456_747_200)
    for bad in [
      "Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 06 Nov 1994 99999999999999999999:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
      "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 99999999999999999999 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 UTC",
      "Sun, 06 Nov 1994 -8:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "",
    ] {
      #expect(WireNumber.httpDate(bad) == nil, "\(bad)")
    }
  }
}
