public import PyIndexModel
import PyIndexAuth

/// pip's installation report (`--report`, format version "1"), for what a `download` run chose:
/// one `install` entry per file, `download_info.url` redacted, the archive's hashes, the
/// project's name and version, `requested` and `is_direct`; for a matrix, each entry names the
/// targets it serves (`targets`), and for one target `environment` holds its marker values.
public enum InstallationReport {
  /// The report's JSON text.
  /// - Parameters:
  ///   - files: each file once, with the targets it serves (empty for one target).
  ///   - environment: the one target's marker values (nil for a matrix).
  public static func json(_ files: [(file: DownloadedFile, targets: [String])], environment: MarkerEnvironment?, version: String) -> String {
    let q = JSONText.quote
    let entries = files.map { entry -> String in
      let f = entry.file
      var o = "{\"download_info\": {\"url\": \(q(f.url.description)), \"archive_info\": {\"hash\": \(q("sha256=" + f.sha256)), \"hashes\": {\"sha256\": \(q(f.sha256))}}}, "
      // pip's JSON form of the wheel's core metadata; name and version alone when it was not read.
      let metadata = f.metadata?.json ?? "{\"name\": \(q(f.project)), \"version\": \(q(f.version))}"
      o += "\"is_direct\": \(f.isDirect), \"is_yanked\": \(f.isYanked), \"requested\": \(f.requested), \"metadata\": \(metadata)"
      if !f.requestedExtras.isEmpty { o += ", \"requested_extras\": [" + f.requestedExtras.map(q).joined(separator: ", ") + "]" }
      if !entry.targets.isEmpty { o += ", \"targets\": [" + entry.targets.map(q).joined(separator: ", ") + "]" }
      // PEP 740: where the index keeps the file's attestations (pyindex's key; pip has none).
      if let p = f.provenance { o += ", \"provenance\": \(q(p))" }
      return o + "}"
    }
    var text = "{\"version\": \"1\", \"pyindex_version\": \(q(version)), \"install\": [\(entries.joined(separator: ", "))]"
    if let environment {
      text += ", \"environment\": {" + environment.values.keys.sorted().map { "\(q($0)): \(q(environment.values[$0] ?? ""))" }.joined(separator: ", ") + "}"
    }
    return text + "}"
  }
}
