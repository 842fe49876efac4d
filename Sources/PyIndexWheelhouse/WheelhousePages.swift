import PyIndexModel

/// The wheelhouse's pages: PEP 503 HTML and PEP 691 JSON (API version 1.1: `size` and
/// `versions`, PEP 700), links relative to the page (`../../FILE`), every value escaped for
/// where it goes. What a page says comes from the index the file came from, or from the file.
enum WheelhousePages {
  static let apiVersion = "1.1"

  static func rootHTML(_ projects: [WheelhouseProject]) -> String {
    var out = "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"\(apiVersion)\">\n<title>Simple index</title>\n</head>\n<body>\n"
    for p in projects { out += "<a href=\"\(p.name.normalized)/\">\(html(p.name.typed))</a><br>\n" }
    return out + "</body>\n</html>\n"
  }

  static func rootJSON(_ projects: [WheelhouseProject]) -> String {
    let items = projects.map { "{\"name\": \(JSONText.quote($0.name.typed))}" }
    return "{\"meta\": {\"api-version\": \"\(apiVersion)\"}, \"projects\": [\(items.joined(separator: ", "))]}\n"
  }

  static func projectHTML(_ project: WheelhouseProject) -> String {
    var out = "<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"pypi:repository-version\" content=\"\(apiVersion)\">\n<title>Links for \(html(project.name.typed))</title>\n</head>\n<body>\n<h1>Links for \(html(project.name.typed))</h1>\n"
    for f in sorted(project.files) {
      var attributes = "href=\"../../\(pathSegment(f.filename))#sha256=\(f.sha256)\""
      if let r = f.requiresPython { attributes += " data-requires-python=\"\(html(r))\"" }
      if let y = f.yanked { attributes += " data-yanked=\"\(html(y))\"" }
      if let m = f.metadataSHA256 { attributes += " data-core-metadata=\"sha256=\(m)\" data-dist-info-metadata=\"sha256=\(m)\"" }
      if let p = f.provenance { attributes += " data-provenance=\"\(html(p))\"" }
      out += "<a \(attributes)>\(html(f.filename))</a><br>\n"
    }
    return out + "</body>\n</html>\n"
  }

  static func projectJSON(_ project: WheelhouseProject) -> String {
    let files = sorted(project.files).map { f -> String in
      var members = [
        "\"filename\": \(JSONText.quote(f.filename))", "\"url\": \(JSONText.quote("../../" + pathSegment(f.filename)))",
        "\"hashes\": {\"sha256\": \"\(f.sha256)\"}", "\"size\": \(f.size)",
      ]
      if let r = f.requiresPython { members.append("\"requires-python\": \(JSONText.quote(r))") }
      members.append("\"yanked\": " + (f.yanked.map { $0.isEmpty ? "true" : JSONText.quote($0) } ?? "false"))
      if let m = f.metadataSHA256 {
        members.append("\"core-metadata\": {\"sha256\": \"\(m)\"}")
        members.append("\"dist-info-metadata\": {\"sha256\": \"\(m)\"}")
      }
      if let t = f.uploadTime { members.append("\"upload-time\": \(JSONText.quote(t))") }
      if let p = f.provenance { members.append("\"provenance\": \(JSONText.quote(p))") }
      return "{" + members.joined(separator: ", ") + "}"
    }
    let versions = Set(project.files.map(\.version)).compactMap { v -> (Version, String)? in (try? Version(v)).map { ($0, v) } }.sorted { $0.0 < $1.0 }.map { JSONText.quote($0.1) }
    return "{\"meta\": {\"api-version\": \"\(apiVersion)\"}, \"name\": \(JSONText.quote(project.name.normalized)), \"versions\": [\(versions.joined(separator: ", "))], \"files\": [\(files.joined(separator: ", "))]}\n"
  }

  static func sorted(_ files: [WheelhouseFile]) -> [WheelhouseFile] { files.sorted { $0.filename < $1.filename } }

  static func html(_ text: String) -> String { MarkupText.html(text) }

  /// A file name as one URL path segment: everything but the unreserved characters
  /// percent-encoded (`+` of a local version included).
  static func pathSegment(_ name: String) -> String { MarkupText.percentEncoded(name) }
}
