/// One file listed on a project page (PEP 503 anchor or PEP 691 `files` entry).
public struct DistributionFile: Sendable, Hashable {
  /// The file name: the last path segment of the URL, percent-decoded once (HTML), or the
  /// JSON `filename`. For HTML links it is derived from ``href`` when first asked, which lets a
  /// listing do that work on its evaluation core rather than on the parser's.
  public var filename: String { explicitFilename ?? URLReference.filename(of: href.text) }

  /// The file name without a copy when the link needs no decoding: a slice of ``href``.
  public var filenameText: Substring {
    if let explicitFilename { return Substring(explicitFilename) }
    return URLReference.plainFilename(of: href.text) ?? Substring(URLReference.filename(of: href.text))
  }
  private var explicitFilename: String?
  /// The URL exactly as the page gave it (entity-decoded), before resolution; resolve it
  /// with ``resolvedURL(base:)`` against the page's ``PageInfo/baseURL``.
  public var href: URLReference
  /// Digests the page gave outside the URL (PEP 691 `hashes`), by lower-case algorithm name,
  /// lower-case hex, known algorithms only. See ``digests`` for every digest of the file.
  public var hashes: [String: String]
  /// The `Requires-Python` specifier text, if any (empty strings are absent).
  public var requiresPython: String?
  /// The yank reason when the file is yanked ("" when none was given), nil when not yanked.
  public var yanked: String?
  /// PEP 658/714 metadata: nil when unknown, otherwise its hashes (possibly empty).
  public var coreMetadata: [String: String]?
  public var size: Int?
  public var uploadTime: String?
  /// PEP 740: the URL of the file's provenance (attestations), as the page gave it.
  public var provenance: String?

  public init(filename: String?, href: String, hashes: [String: String] = [:], requiresPython: String? = nil, yanked: String? = nil, coreMetadata: [String: String]? = nil, size: Int? = nil, uploadTime: String? = nil) {
    (self.explicitFilename, self.href, self.hashes) = (filename, URLReference(href), hashes)
    (self.requiresPython, self.yanked, self.coreMetadata) = (requiresPython, yanked, coreMetadata)
    (self.size, self.uploadTime) = (size, uploadTime)
  }

  /// Every digest the page gives for the file: ``hashes`` plus those of the URL fragment
  /// (`#sha256=…&md5=…`), read when asked so that listings never pay for them.
  public var digests: [String: String] {
    var all = hashes
    for (alg, hex) in URLReference.fragmentDigests(href.text).known where all[alg] == nil { all[alg] = hex }
    return all
  }

  /// Hash algorithms the page uses for this file that pyindex cannot verify (blake2b, sha3...).
  public var unverifiableAlgorithms: [String] { URLReference.fragmentDigests(href.text).unknown }

  /// The absolute URL of the file, without its fragment, resolved against `base`; nil when
  /// the link does not resolve to a URL.
  public func resolvedURL(base: SafeURL) -> SafeURL? { href.resolved(against: base) }
}

/// What a page says about itself, besides its files.
public struct PageInfo: Sendable, Hashable {
  /// What relative links resolve against: the page's final URL, or its first `<base href>`;
  /// nil when that `<base href>` is not a URL (relative links then resolve to nothing).
  public var baseURL: SafeURL? = nil
  /// `pypi:repository-version` / `meta.api-version`, "1.0" when absent.
  public var apiVersion: String = "1.0"
  /// Number of `<a href>` anchors (HTML) or file entries (JSON) seen.
  public var linkCount: Int = 0
  /// Whether the page had a password field (a sign-in page served with 200).
  public var hasPasswordField: Bool = false
  /// Notes for the user (unknown hash algorithm, newer minor API version).
  public var warnings: [String] = []
  /// PEP 792: the project's status (`archived`, `quarantined`, `deprecated`, or another value
  /// the index gave), nil for none (`active`), and its reason.
  public var projectStatus: String? = nil
  public var projectStatusReason: String? = nil
  public init() {}
}

/// Hash algorithms pyindex can verify; others on a page are dropped with a warning.
public enum HashAlgorithm: String, Sendable, CaseIterable {
  case md5, sha1, sha256, sha384, sha512
}
