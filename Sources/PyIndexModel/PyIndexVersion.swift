/// pyindex's version: the one place it is written. `pyindex --version` prints it, the
/// User-Agent carries it, and `scripts/wheel` reads it from the built binary for the wheel's
/// name and metadata.
public enum PyIndexVersion {
  public static let current = "0.1.0"
}
