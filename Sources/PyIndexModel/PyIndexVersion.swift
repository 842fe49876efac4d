/// pyindex's version: the one place it is written. `pyindex --version` prints it, the
/// User-Agent carries it, and `scripts/wheel` reads it from the built binary for the wheel's
/// name and metadata.
public enum PyIndexVersion {
  /// The version, PEP 440.
  public static let current = "0.1.0"
  /// The license, as an SPDX expression: `--version` prints it and the wheel's metadata carries it
  /// (`License-Expression`); the text is `LICENSE` at the repository's root.
  public static let license = "Apache-2.0"
}
