/// The values PEP 508 markers are evaluated against, for a target rather than the machine
/// pyindex runs on.
public struct MarkerEnvironment: Sendable, Hashable {
  public var values: [String: String]

  public init(_ values: [String: String]) { self.values = values }

  /// The environment of `target`: Python version and implementation, and the operating
  /// system and machine its first platform tag names. Values a tag cannot tell
  /// (`platform_release`, `platform_version`) are empty.
  public init(target: Target, pythonFullVersion: String? = nil) {
    var v: [String: String] = [:]
    if let py = target.pythonVersion {
      let short = py.prefix(2).map(String.init).joined(separator: ".")
      v["python_version"] = short
      v["python_full_version"] = pythonFullVersion ?? (py.count >= 3 ? py.map(String.init).joined(separator: ".") : short + ".0")
    }
    let impl = target.implementation ?? "cp"
    let (name, display) = [
      "cp": ("cpython", "CPython"), "pp": ("pypy", "PyPy"), "ip": ("ironpython", "IronPython"), "jy": ("jython", "Jython"),
    ][impl] ?? (impl, impl)
    v["implementation_name"] = name
    v["platform_python_implementation"] = display
    v["implementation_version"] = v["python_full_version"] ?? ""
    let platform = target.platforms?.first ?? ""
    let (system, sysPlatform, osName): (String, String, String)
    if platform.hasPrefix("win") {
      (system, sysPlatform, osName) = ("Windows", "win32", "nt")
    } else if platform.hasPrefix("macosx") {
      (system, sysPlatform, osName) = ("Darwin", "darwin", "posix")
    } else if platform.hasPrefix("manylinux") || platform.hasPrefix("musllinux") || platform.hasPrefix("linux") {
      (system, sysPlatform, osName) = ("Linux", "linux", "posix")
    } else {
      (system, sysPlatform, osName) = ("", "", "")
    }
    v["platform_system"] = system
    v["sys_platform"] = sysPlatform
    v["os_name"] = osName
    v["platform_machine"] = MarkerEnvironment.machine(platform)
    v["platform_release"] = ""
    v["platform_version"] = ""
    values = v
  }

  /// The machine a platform tag is for, as `platform.machine()` reports it there.
  static func machine(_ tag: String) -> String {
    switch tag {
    case "win_amd64": return "AMD64"
    case "win32": return "x86"
    case "win_arm64": return "ARM64"
    default: break
    }
    for arch in ["x86_64", "aarch64", "i686", "ppc64le", "s390x", "armv7l", "arm64", "universal2"] where tag.hasSuffix("_" + arch) {
      return arch == "universal2" ? "arm64" : arch
    }
    return ""
  }
}

/// A PEP 508 environment marker, parsed: `python_version >= "3.8" and sys_platform != "win32"`.
public indirect enum Marker: Sendable, Hashable, CustomStringConvertible {
  case and(Marker, Marker)
  case or(Marker, Marker)
  case compare(MarkerValue, String, MarkerValue)

  public enum MarkerValue: Sendable, Hashable {
    case variable(String)
    case literal(String)
  }

  /// Parses marker text.
  /// - Throws: ``ModelError/invalidRequirement(_:reason:)`` naming the problem.
  public init(_ text: String) throws(ModelError) {
    let tokens = try Marker.tokenize(text)
    guard tokens.count <= Parser.maxTokens else { throw .invalidRequirement(String(text.prefix(80)) + "…", reason: "the marker is longer than \(Parser.maxTokens) tokens") }
    var parser = Parser(tokens: tokens, text: text)
    self = try parser.or()
    guard parser.position == parser.tokens.count else { throw .invalidRequirement(text, reason: "unexpected '\(parser.tokens[parser.position])' in the marker") }
  }

  /// Evaluates the marker; `extra` is the extra being installed ("" for none).
  public func evaluate(_ environment: MarkerEnvironment, extra: String = "") -> Bool {
    switch self {
    case .and(let a, let b): return a.evaluate(environment, extra: extra) && b.evaluate(environment, extra: extra)
    case .or(let a, let b): return a.evaluate(environment, extra: extra) || b.evaluate(environment, extra: extra)
    case .compare(let l, let op, let r):
      func value(_ v: MarkerValue) -> (String, isExtra: Bool, isVariable: Bool) {
        switch v {
        case .literal(let s): return (s, false, false)
        case .variable("extra"): return (extra, true, true)
        case .variable(let name): return (environment.values[name] ?? "", false, true)
        }
      }
      var (lhs, lExtra, _) = value(l)
      var (rhs, rExtra, _) = value(r)
      if lExtra || rExtra {
        // Extras compare as normalized names.
        lhs = ProjectName.normalize(lhs)
        rhs = ProjectName.normalize(rhs)
      }
      // PEP 751's `extras` and `dependency_groups` are sets (space-separated names here).
      if case .variable(let name) = r, name == "extras" || name == "dependency_groups", op == "in" || op == "not in" {
        let member = rhs.split(separator: " ").contains { Substring(ProjectName.normalize(lhs)) == $0 }
        return op == "in" ? member : !member
      }
      switch op {
      case "in": return rhs.contains(lhs)
      case "not in": return !rhs.contains(lhs)
      default: break
      }
      // A version comparison when the right side is a valid specifier for the left (packaging's rule).
      if let spec = try? Specifier(op + rhs), let version = try? Version(lhs) {
        return spec.contains(version, original: lhs)
      }
      switch op {
      case "==", "===": return lhs == rhs
      case "!=": return lhs != rhs
      case "<": return lhs < rhs
      case "<=": return lhs <= rhs
      case ">": return lhs > rhs
      case ">=": return lhs >= rhs
      default: return false
      }
    }
  }

  public var description: String {
    func show(_ v: MarkerValue) -> String {
      switch v {
      case .variable(let n): n
      case .literal(let s): "\"\(s)\""
      }
    }
    switch self {
    case .and(let a, let b): return "(\(a) and \(b))"
    case .or(let a, let b): return "(\(a) or \(b))"
    case .compare(let l, let op, let r): return "\(show(l)) \(op) \(show(r))"
    }
  }

  static let variables: Set<String> = [
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system",
    "platform_version", "platform_machine", "platform_python_implementation", "implementation_name",
    "implementation_version", "extra",
    // PEP 751: sets, in lock files' package markers.
    "extras", "dependency_groups",
  ]
  static let legacy: [String: String] = [
    "os.name": "os_name", "sys.platform": "sys_platform", "platform.version": "platform_version",
    "platform.machine": "platform_machine", "platform.python_implementation": "platform_python_implementation",
    "python_implementation": "platform_python_implementation",
  ]

  enum Token: Sendable, Hashable, CustomStringConvertible {
    case word(String), string(String), op(String), open, close
    var description: String {
      switch self {
      case .word(let w): w
      case .string(let s): "\"\(s)\""
      case .op(let o): o
      case .open: "("
      case .close: ")"
      }
    }
  }

  static func tokenize(_ text: String) throws(ModelError) -> [Token] {
    var out: [Token] = []
    let chars = Array(text)
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == " " || c == "\t" { i += 1; continue }
      if c == "(" { out.append(.open); i += 1; continue }
      if c == ")" { out.append(.close); i += 1; continue }
      if c == "\"" || c == "'" {
        guard let end = chars[(i + 1)...].firstIndex(of: c) else { throw .invalidRequirement(text, reason: "unclosed string in the marker") }
        out.append(.string(String(chars[(i + 1)..<end])))
        i = end + 1
        continue
      }
      if "<>=!~".contains(c) {
        var j = i
        while j < chars.count, "<>=!~".contains(chars[j]) { j += 1 }
        let op = String(chars[i..<j])
        guard ["<", "<=", ">", ">=", "==", "!=", "~=", "==="].contains(op) else { throw .invalidRequirement(text, reason: "unknown operator '\(op)' in the marker") }
        out.append(.op(op))
        i = j
        continue
      }
      if c.isLetter || c == "_" {
        var j = i
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "." { j += 1 }
        out.append(.word(String(chars[i..<j])))
        i = j
        continue
      }
      throw .invalidRequirement(text, reason: "unexpected '\(c)' in the marker")
    }
    return out
  }

  struct Parser {
    let tokens: [Token]
    let text: String
    var position = 0
    /// Parentheses open at this point: bounded, so that no input (a `Requires-Dist` from any
    /// index) can exhaust the stack.
    var depth = 0
    static let maxDepth = 32
    /// Longer markers are refused for the same reason (and/or chains nest as they parse).
    static let maxTokens = 2048

    mutating func or() throws(ModelError) -> Marker {
      try chain("or", { (p: inout Parser) throws(ModelError) in try p.and() }, Marker.or)
    }

    mutating func and() throws(ModelError) -> Marker {
      try chain("and", { (p: inout Parser) throws(ModelError) in try p.atom() }, Marker.and)
    }

    /// `operand (word operand)*`, joined from the left: `or` binds looser than `and`, which
    /// binds looser than an atom.
    private mutating func chain(
      _ word: String, _ operand: (inout Parser) throws(ModelError) -> Marker, _ join: (Marker, Marker) -> Marker
    ) throws(ModelError) -> Marker {
      var left = try operand(&self)
      while position < tokens.count, tokens[position] == .word(word) {
        position += 1
        left = join(left, try operand(&self))
      }
      return left
    }

    mutating func atom() throws(ModelError) -> Marker {
      guard position < tokens.count else { throw .invalidRequirement(text, reason: "the marker ends too early") }
      if tokens[position] == .open {
        position += 1
        depth += 1
        defer { depth -= 1 }
        guard depth <= Parser.maxDepth else { throw .invalidRequirement(text, reason: "the marker nests more than \(Parser.maxDepth) parentheses") }
        let inner = try or()
        guard position < tokens.count, tokens[position] == .close else { throw .invalidRequirement(text, reason: "unclosed '(' in the marker") }
        position += 1
        return inner
      }
      let left = try value()
      guard position < tokens.count else { throw .invalidRequirement(text, reason: "the marker ends after \(left)") }
      let op: String
      switch tokens[position] {
      case .op(let o): op = o; position += 1
      case .word("in"): op = "in"; position += 1
      case .word("not") where position + 1 < tokens.count && tokens[position + 1] == .word("in"): op = "not in"; position += 2
      default: throw .invalidRequirement(text, reason: "expected a comparison after \(left) in the marker")
      }
      return .compare(left, op, try value())
    }

    mutating func value() throws(ModelError) -> MarkerValue {
      guard position < tokens.count else { throw .invalidRequirement(text, reason: "the marker ends too early") }
      defer { position += 1 }
      switch tokens[position] {
      case .string(let s): return .literal(s)
      case .word(let w):
        let name = Marker.legacy[w] ?? w
        guard Marker.variables.contains(name) else { throw .invalidRequirement(text, reason: "unknown marker variable '\(w)'") }
        return .variable(name)
      default: throw .invalidRequirement(text, reason: "expected a variable or a quoted string in the marker, not '\(tokens[position])'")
      }
    }
  }
}
