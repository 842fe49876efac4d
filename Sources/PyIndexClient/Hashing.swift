import Crypto
import PyIndexModel

/// Computes every digest the index gave for a file, plus SHA-256 always, in one pass.
package struct MultiHasher {
  private enum One {
    case md5(Insecure.MD5), sha1(Insecure.SHA1), sha256(SHA256), sha384(SHA384), sha512(SHA512)
    mutating func update(_ b: UnsafeRawBufferPointer) {
      switch self {
      case .md5(var h): h.update(bufferPointer: b); self = .md5(h)
      case .sha1(var h): h.update(bufferPointer: b); self = .sha1(h)
      case .sha256(var h): h.update(bufferPointer: b); self = .sha256(h)
      case .sha384(var h): h.update(bufferPointer: b); self = .sha384(h)
      case .sha512(var h): h.update(bufferPointer: b); self = .sha512(h)
      }
    }
    func hex() -> String {
      switch self {
      case .md5(let h): h.finalize().hexString
      case .sha1(let h): h.finalize().hexString
      case .sha256(let h): h.finalize().hexString
      case .sha384(let h): h.finalize().hexString
      case .sha512(let h): h.finalize().hexString
      }
    }
  }

  private var hashers: [(String, One)] = []
  private(set) var size = 0

  /// Hashers for `algorithms` (names as in PEP 503 fragments; unknown ones are ignored) and SHA-256.
  package init(algorithms: some Sequence<String>) {
    var names = Set(algorithms)
    names.insert("sha256")
    for name in names.sorted() {
      switch HashAlgorithm(rawValue: name) {
      case .md5?: hashers.append((name, .md5(Insecure.MD5())))
      case .sha1?: hashers.append((name, .sha1(Insecure.SHA1())))
      case .sha256?: hashers.append((name, .sha256(SHA256())))
      case .sha384?: hashers.append((name, .sha384(SHA384())))
      case .sha512?: hashers.append((name, .sha512(SHA512())))
      case nil: break
      }
    }
  }

  mutating func update(_ b: UnsafeRawBufferPointer) {
    size += b.count
    for i in hashers.indices { hashers[i].1.update(b) }
  }

  package mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// Hex digests by algorithm.
  package func finalize() -> [String: String] {
    var out: [String: String] = [:]
    for (n, h) in hashers { out[n] = h.hex() }
    return out
  }

  /// The first of `expected`'s digests (of a known algorithm, the strongest first) that
  /// `actual` (from ``finalize()``) does not match; nil when every one matches.
  package static func mismatch(_ actual: [String: String], expected: [String: String]) -> (algorithm: String, expected: String, actual: String)? {
    for (alg, value) in expected.sorted(by: { $0.key > $1.key }) where HashAlgorithm(rawValue: alg) != nil && actual[alg] != value {
      return (alg, value, actual[alg] ?? "?")
    }
    return nil
  }
}

extension Digest {
  var hexString: String {
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in self { out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
  }
}
