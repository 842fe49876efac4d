/// The `Host` header check of a server that listens on one address (`serve`, the fixture's
/// static profile): a web page that rebinds its own DNS name to 127.0.0.1 still sends its own
/// name as `Host`, so answering only our own address keeps such pages out.
public enum HostHeader {
  /// Whether `header` names the address the server listens on (`host:port`), or, for a
  /// loopback address, `localhost`, `127.0.0.1` or `[::1]` with that port. The port must be
  /// given unless it is the scheme's default (80).
  public static func accepts(_ header: String?, listeningOn host: String, port: Int) -> Bool {
    guard let header else { return false }
    let value = header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) ? header.lowercased() : ""
    guard !value.isEmpty else { return false }
    let name: Substring
    let given: Int
    if value.hasPrefix("[") {
      guard let close = value.firstIndex(of: "]") else { return false }
      name = value[value.startIndex...close]
      let rest = value[value.index(after: close)...]
      guard let p = rest.isEmpty ? 80 : (rest.first == ":" ? canonicalPort(rest.dropFirst()) : nil) else { return false }
      given = p
    } else {
      let pieces = value.split(separator: ":", omittingEmptySubsequences: false)
      guard pieces.count <= 2, let p = pieces.count == 2 ? canonicalPort(pieces[1]) : 80 else { return false }
      name = pieces[0]
      given = p
    }
    guard given == port else { return false }
    let own = host.contains(":") ? "[\(host.lowercased())]" : host.lowercased()
    if name == own { return true }
    return isLoopback(host) && ["localhost", "127.0.0.1", "[::1]"].contains(name)
  }

  /// A port as a client writes it: digits, no sign, no leading zero.
  static func canonicalPort(_ text: Substring) -> Int? {
    guard let n = WireNumber.count(text), String(n) == text else { return nil }
    return n
  }

  /// Whether `host` is a loopback address or `localhost`.
  public static func isLoopback(_ host: String) -> Bool {
    let h = host.lowercased()
    if h == "localhost" || h == "::1" || h == "[::1]" { return true }
    let octets = h.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { WireNumber.count($0).map { $0 <= 255 } ?? false }
  }
}
