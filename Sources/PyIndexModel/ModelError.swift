/// Errors of the pure model: input that is not a valid name, version, specifier or tag.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Not a valid PEP 508 project name.
  case invalidProjectName(String)
  /// Not a valid PEP 440 version.
  case invalidVersion(String)
  /// Not a valid PEP 440 specifier (or specifier set); the second value says why.
  case invalidSpecifier(String, reason: String)
  /// Not a valid requirement; the second value says why.
  case invalidRequirement(String, reason: String)
  /// Not a valid `--python-version` value.
  case invalidPythonVersion(String)

  public var description: String {
    switch self {
    case .invalidProjectName(let s): "invalid project name '\(s)'"
    case .invalidVersion(let s): "invalid version '\(s)'"
    case .invalidSpecifier(let s, let reason): "invalid version specifier '\(s)': \(reason)"
    case .invalidRequirement(let s, let reason): "invalid requirement '\(s)': \(reason)"
    case .invalidPythonVersion(let s): "invalid Python version '\(s)' (expected e.g. 3.12 or 312)"
    }
  }
}
