import PyIndexModel

import PyIndexSystem

/// The fixture index's answers, as pure functions of the request and the profile.
enum FixtureRouter {
  static func index(_ request: RecordedRequest, profile: FixtureProfile, storagePort: Int?, attempt: Int = 1) -> FixtureResponse {
    if let root = profile.staticRoot { return staticTree(request, root: root) }
    let path = request.path
    let layout = profile.layout
    if let fault = faults(request) { return fault }
    let parts = path.split(separator: "/").map(String.init)
    if parts.count >= 3, parts[0] == "fault" {
      let inner = RecordedRequest(method: request.method, uri: String(request.uri.dropFirst("/fault/".count + parts[1].count)), headers: request.headers, serverPort: request.serverPort)
      return fault(parts[1], attempt: attempt, inner: inner, index(inner, profile: profile, storagePort: storagePort))
    }
    if parts.count == 2, ["by-id", "by-id-ext", "by-id-path", "by-id-none"].contains(parts[0]) {
      // A download URL that does not name the file: Content-Disposition does.
      let files = profile.projects.flatMap(\.files)
      guard let n = Int(parts[1]), files.indices.contains(n) else { return .text(404, "Not Found") }
      let name = files[n].filename
      let disposition: String? = switch parts[0] {
      case "by-id": "attachment; filename=\"\(name)\""
      case "by-id-ext": "attachment; filename=\"download.bin\"; filename*=UTF-8''\(percentEncode(name))"
      case "by-id-none": nil
      default: "attachment; filename=\"../../\(name)\""
      }
      var r = file(files[n])
      if let disposition { r.headers.append(("Content-Disposition", disposition)) }
      return r
    }
    if parts.first == "location-credentials", parts.count >= 2, let auth = profile.auth {
      // Credentials for the next hop ride in the Location header.
      let userinfo = percentEncode(auth.username) + ":" + percentEncode(auth.password)
      return redirect("http://\(userinfo)@127.0.0.1:\(request.serverPort)\(layout.simplePath)\(parts[1])/", status: 302)
    }
    let isPage = path.hasPrefix(layout.simplePath) || path + "/" == layout.simplePath
    var partial = false
    if let auth = profile.auth, isPage || auth.protectFiles {
      let failure: AuthFailure?
      switch authorize(request, auth) {
      case .ok: failure = nil
      case .missing: failure = auth.missing
      case .wrong: failure = auth.wrong
      }
      if let failure {
        switch failure {
        case .partialListing where isPage: partial = true
        case .partialListing: return refuse(.challenge)
        case .signInRedirect:
          guard let storagePort else { return refuse(.loginPage) }
          return redirect("http://127.0.0.1:\(storagePort)/_signin?realm=fixture&reply_to=\(percentEncode(request.uri))", status: 302)
        default: return refuse(failure)
        }
      }
    }
    if path + "/" == layout.simplePath { return redirect(layout.simplePath) }
    if path == layout.simplePath {
      let links = profile.projects.map { "<a href=\"\(ProjectName.normalize($0.name))/\">\($0.name)</a>" }.joined(separator: "\n")
      return .text(200, "<!DOCTYPE html><html><body>\n\(links)\n</body></html>\n", type: "text/html")
    }
    if path.hasPrefix(layout.simplePath) {
      let parts = path.dropFirst(layout.simplePath.count).split(separator: "/", omittingEmptySubsequences: false)
      let name = String(parts[0])
      guard var project = profile.projects.first(where: { ProjectName.normalize($0.name) == ProjectName.normalize(name) }) else {
        return .text(404, "Not Found")
      }
      let normalized = ProjectName.normalize(name)
      if parts.count == 1 { return redirect("\(layout.simplePath)\(normalized)/") }
      if name != normalized { return redirect("\(layout.simplePath)\(normalized)/" + parts.dropFirst().joined(separator: "/")) }
      if partial { project.files = Array(project.files.prefix(2)) }
      if parts.count == 2, parts[1].isEmpty { return cacheable(page(project, request: request, profile: profile), request: request, profile: profile) }
      if parts.count == 2, profile.hosting == .samePath, let r = serve(String(parts[1]), in: project.files, request: request, profile: profile) { return r }
      return .text(404, "Not Found")
    }
    if path.hasPrefix(layout.filesPath) {
      let filename = String(path.split(separator: "/").last ?? "")
      let files = Array(profile.projects.lazy.flatMap(\.files))
      guard profile.hosting != .samePath, let r = serve(filename, in: files, request: request, profile: profile) else {
        return .text(404, "Not Found")
      }
      if profile.hosting == .otherOrigin, let storagePort {
        return redirect("http://127.0.0.1:\(storagePort)/storage/\(filename)?\(layout.storageQuery)", status: 302)
      }
      if profile.hosting == .stalling, r.status == 200 {
        var r = r
        r.stallAfter = r.body.count / 2
        return r
      }
      return r
    }
    return .text(404, "Not Found")
  }

  enum Verdict { case ok, missing, wrong }

  /// Whether the request's Basic credentials belong to one of the accounts.
  static func authorize(_ request: RecordedRequest, _ auth: FixtureAuth) -> Verdict {
    guard let header = request.header("Authorization") else { return .missing }
    guard header.hasPrefix("Basic "), let decoded = base64Decode(String(header.dropFirst(6))), let text = String(validating: decoded, as: UTF8.self) else { return .wrong }
    let user: Substring, password: Substring
    if let colon = text.firstIndex(of: ":") { user = text[..<colon]; password = text[text.index(after: colon)...] } else { user = Substring(text); password = "" }
    return auth.accounts.contains { $0.accepts(username: String(user), password: String(password)) } ? .ok : .wrong
  }

  /// Misbehaving routes every profile has, in front of its auth:
  /// - `/alias/<name>/` → 301 `/simple/<name>` (which 301s on to `/simple/<name>/`);
  /// - `/to-file/<name>/` → 302 `file:///etc/passwd`;
  /// - `/loop/...` → 302 one level deeper, forever;
  /// - `/badtype/<name>/` → 200 `application/json` (not a simple-API type);
  /// - `/badjson/<name>/` → 200 PEP 691 JSON that is cut short;
  /// - `/status/<code>/<name>/` → that status;
  /// - `/to-port/<port>/<name>/` → 302 to `/simple/<name>/` on another local port (another origin);
  /// - `/to-default/<scheme>/<name>/` → 302 to `<scheme>://HOST/simple/<name>/`: the default port
  ///   of the host the request was sent to (its `Host` header without the port);
  /// - `/by-id/<n>`, `/by-id-ext/<n>`, `/by-id-path/<n>`: the n-th file of the profile, named
  ///   only by `Content-Disposition` (`filename=`, `filename*=UTF-8''…`, `filename="../../…"`);
  ///   `/by-id-none/<n>`: the same file, named nowhere;
  /// - `/location-credentials/<name>/` (profiles with auth) → 302 to `/simple/<name>/` with the
  ///   profile's credentials in the `Location` userinfo.
  static func faults(_ request: RecordedRequest) -> FixtureResponse? {
    let path = request.path
    let parts = path.split(separator: "/").map(String.init)
    guard let first = parts.first else { return nil }
    switch first {
    case "alias" where parts.count >= 2: return redirect("/simple/\(parts[1])")
    case "to-file": return redirect("file:///etc/passwd", status: 302)
    case "loop": return redirect(path + "again/", status: 302)
    case "badtype": return .text(200, "{\"files\": []}", type: "application/json")
    case "badjson": return .text(200, "{\"meta\": {\"api-version\": \"1.0\"}, \"files\": [{\"filename\": ", type: "application/vnd.pypi.simple.v1+json")
    case "status" where parts.count >= 2: return .text(Int(parts[1]) ?? 500, "status \(parts[1])")
    case "to-port" where parts.count >= 3: return redirect("http://127.0.0.1:\(parts[1])/simple/\(parts[2])/", status: 302)
    case "to-default" where parts.count >= 3:
      let host = (request.header("Host") ?? "127.0.0.1").split(separator: ":").first.map(String.init) ?? "127.0.0.1"
      return redirect("\(parts[1])://\(host)/simple/\(parts[2])/", status: 302)
    default: return nil
    }
  }

  /// `/fault/<kind>/<path>`: `<path>` as usual, with a fault applied. Counted faults (`…xN`)
  /// hit the first N requests of each URI, then the answer is the normal one:
  /// - `503xN`, `429xN` (`Retry-After: 1`), `429datexN` (`Retry-After` as an HTTP date, 2 s ahead);
  /// - `resetxN`: files send half their body, then the connection closes;
  /// - `resetpagexN`: the same for pages;
  /// - `rstxN`, `rstpagexN`: files (pages) send half their body, then the connection is reset (RST);
  /// - `short`: files always stop at half (`Content-Length` says more);
  /// - `stall`: files send half, then nothing for a minute;
  /// - `slow`: files arrive in 20 pieces, 0.6 s apart (12 s in all);
  /// - `gzip`: pages with `Content-Encoding: gzip`;
  /// - `406`: pages answer 406 Not Acceptable.
  static func fault(_ kind: String, attempt: Int, inner: RecordedRequest, _ normal: FixtureResponse) -> FixtureResponse {
    let isFile = inner.path.hasSuffix(".whl") || inner.path.hasSuffix(".tar.gz") || inner.path.hasSuffix(".zip")
    let isPage = !isFile && normal.status == 200
    let pieces = kind.split(separator: "x")
    let name = String(pieces.first ?? "")
    let times = pieces.count > 1 ? Int(pieces[1]) ?? 1 : Int.max
    guard attempt <= times else { return normal }
    var r = normal
    switch name {
    case "503": return .text(503, "Service Unavailable")
    case "429":
      return FixtureResponse(status: 429, headers: [("Retry-After", "1"), ("Content-Type", "text/plain")], body: Array("Too Many Requests".utf8))
    case "429date":
      let date = httpDate(Double(time(nil)) + 2)
      return FixtureResponse(status: 429, headers: [("Retry-After", date), ("Content-Type", "text/plain")], body: Array("Too Many Requests".utf8))
    case "reset" where isFile && normal.status == 200, "short" where isFile && normal.status == 200, "resetpage" where isPage:
      r.closeAfter = normal.body.count / 2
    case "rst" where isFile && normal.status == 200, "rstpage" where isPage:
      r.resetAfter = normal.body.count / 2
    case "stall" where isFile && normal.status == 200:
      r.stallAfter = normal.body.count / 2
    case "slow" where isFile:
      r.slowly = (20, 600)
    case "gzip" where isPage:
      r.body = Zip.deflate(normal.body, gzip: true)
      r.headers.append(("Content-Encoding", "gzip"))
    case "406" where !isFile:
      return .text(406, "Not Acceptable")
    default: break
    }
    return r
  }

  /// An IMF-fixdate for `Retry-After`.
  static func httpDate(_ seconds: Double) -> String {
    var t = time_t(seconds)
    var parts = tm()
    gmtime_r(&t, &parts)
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
  }

  /// The object-storage origin: serves files only with the presigned query, never wants credentials.
  static func storage(_ request: RecordedRequest, profile: FixtureProfile) -> FixtureResponse {
    if request.path == "/_signin" { return refuse(.loginPage) }
    guard request.path.hasPrefix("/storage/"), request.uri.contains("Signature=fixture0signature") || request.uri.contains("sig=fixture0signature") else {
      return .text(403, "<Error><Code>AccessDenied</Code></Error>", type: "application/xml")
    }
    if request.header("Authorization") != nil {
      // Like S3: an Authorization header next to a presigned query is an error.
      return .text(400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>", type: "application/xml")
    }
    let filename = String(request.path.dropFirst("/storage/".count))
    return serve(filename, in: Array(profile.projects.lazy.flatMap(\.files)), request: request, profile: profile) ?? .text(404, "NoSuchKey")
  }

  static func refuse(_ failure: AuthFailure) -> FixtureResponse {
    switch failure {
    case .challenge:
      return FixtureResponse(status: 401, headers: [("WWW-Authenticate", "Basic realm=\"fixture\""), ("Content-Type", "text/plain")], body: Array("Unauthorized".utf8))
    case .notFound: return .text(404, "{\"message\":\"404 Not Found\"}", type: "application/json")
    case .forbidden: return .text(403, "Forbidden: the caller does not have permission", type: "text/plain")
    case .loginPage, .signInRedirect, .partialListing:
      return .text(200, """
        <!DOCTYPE html><html><head><title>Sign in</title></head><body>
        <form method="post" action="/login"><input type="text" name="username">
        <input type="password" name="password"><button>Sign in</button></form>
        <a href="/help">Help</a></body></html>
        """, type: "text/html; charset=utf-8")
    }
  }

  static func redirect(_ location: String, status: Int = 301) -> FixtureResponse {
    FixtureResponse(status: status, headers: [("Location", location)])
  }

  static func file(_ f: FixtureFile) -> FixtureResponse {
    FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: f.contents)
  }

  /// The file named `name` among `files`, or its PEP 658 `.metadata` when the profile serves
  /// them; a `Range` request gets 206 when the profile honours ranges. nil: no such file.
  static func serve(_ name: String, in files: [FixtureFile], request: RecordedRequest, profile: FixtureProfile) -> FixtureResponse? {
    if profile.coreMetadata, name.hasSuffix(".metadata"), let f = files.first(where: { $0.filename + ".metadata" == name }), let metadata = f.metadata {
      return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: metadata)
    }
    guard let f = files.first(where: { $0.filename == name }) else { return nil }
    guard profile.ranges else { return file(f) }
    guard let header = request.header("Range") else {
      return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes")], body: f.contents)
    }
    guard let range = byteRange(header, size: f.contents.count) else {
      return FixtureResponse(status: 416, headers: [("Content-Range", "bytes */\(f.contents.count)")])
    }
    return FixtureResponse(
      status: 206,
      headers: [("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes"), ("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(f.contents.count)")],
      body: Array(f.contents[range]))
  }

  /// One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`, clamped to `size`; nil when unsatisfiable.
  static func byteRange(_ header: String, size: Int) -> Range<Int>? {
    guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
    let spec = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
    guard spec.count == 2 else { return nil }
    if spec[0].isEmpty {
      guard let n = Int(spec[1]), n > 0 else { return nil }
      return max(0, size - n)..<size
    }
    guard let a = Int(spec[0]), a < size else { return nil }
    let b = spec[1].isEmpty ? size - 1 : min(Int(spec[1]) ?? -1, size - 1)
    guard b >= a else { return nil }
    return a..<(b + 1)
  }

  static func href(_ f: FixtureFile, profile: FixtureProfile, port: Int) -> String {
    let fragment = "\(f.advertised.name)=\(f.advertised.digest)"
    let layout = profile.layout
    if profile.hosting == .samePath { return "\(f.filename)#\(fragment)" }
    let path = layout.filesPath + (layout.digestDirectory ? f.sha256 + "/" : "") + f.filename
    if layout.absoluteLinks { return "http://127.0.0.1:\(port)\(path)#\(fragment)" }
    if layout.simplePath == "/simple/", layout.filesPath == "/files/" { return "../..\(path)#\(fragment)" }
    return "\(path)#\(fragment)"
  }

  static func page(_ project: FixtureProject, request: RecordedRequest, profile: FixtureProfile) -> FixtureResponse {
    let accept = request.header("Accept") ?? ""
    if profile.json, prefersJSON(accept) {
      let files = project.files.map { f -> String in
        var o = "{\"filename\": \"\(f.filename)\", \"url\": \"\(href(f, profile: profile, port: request.serverPort).split(separator: "#")[0])\", \"hashes\": {\"\(f.advertised.name)\": \"\(f.advertised.digest)\"}"
        if let rp = f.requiresPython { o += ", \"requires-python\": \"\(rp)\"" }
        if let y = f.yanked { o += ", \"yanked\": \(y.isEmpty ? "true" : "\"\(y)\"")" }
        if profile.coreMetadata, let m = f.metadataSHA256 { o += ", \"core-metadata\": {\"sha256\": \"\(m)\"}" }
        if let t = f.uploadTime { o += ", \"upload-time\": \"\(t)\"" }
        if let p = f.provenance { o += ", \"provenance\": \"\(p)\"" }
        o += ", \"size\": \(f.contents.count)}"
        return o
      }
      let status = project.status.map { s in ", \"project-status\": {\"status\": \"\(s)\"" + (project.statusReason.map { ", \"reason\": \"\($0)\"" } ?? "") + "}" } ?? ""
      let body = "{\"meta\": {\"api-version\": \"\(project.status == nil ? "1.1" : "1.4")\"}, \"name\": \"\(ProjectName.normalize(project.name))\", \"files\": [\(files.joined(separator: ", "))], \"versions\": []\(status)}"
      return FixtureResponse(status: 200, headers: [("Content-Type", "application/vnd.pypi.simple.v1+json"), ("Vary", "Accept")], body: Array(body.utf8))
    }
    var html = "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"\(project.status == nil ? "1.1" : "1.4")\">"
    if let s = project.status { html += "<meta name=\"pypi:project-status\" content=\"\(s)\">" }
    if let r = project.statusReason { html += "<meta name=\"pypi:project-status-reason\" content=\"\(r)\">" }
    html += "<title>Links for \(project.name)</title></head><body>\n"
    for f in project.files {
      var attrs = ""
      if let rp = f.requiresPython { attrs += " data-requires-python=\"\(rp.replacingOccurrences(">", "&gt;").replacingOccurrences("<", "&lt;"))\"" }
      if let y = f.yanked { attrs += " data-yanked=\"\(y)\"" }
      if let p = f.provenance { attrs += " data-provenance=\"\(p)\"" }
      if profile.coreMetadata, let m = f.metadataSHA256 {
        // Both spellings, as PyPI does (PEP 714).
        attrs += " data-core-metadata=\"sha256=\(m)\" data-dist-info-metadata=\"sha256=\(m)\""
      }
      html += "<a href=\"\(href(f, profile: profile, port: request.serverPort))\"\(attrs)>\(f.filename)</a><br>\n"
    }
    html += "</body></html>\n"
    return FixtureResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8"), ("Vary", "Accept")], body: Array(html.utf8))
  }

  /// A page with its `ETag` (and the profile's `Cache-Control`), or 304 when the client has it.
  static func cacheable(_ page: FixtureResponse, request: RecordedRequest, profile: FixtureProfile) -> FixtureResponse {
    guard page.status == 200 else { return page }
    let etag = "\"" + FixtureFile.sha256(page.body).prefix(16) + "\""
    var extra = [("ETag", etag)]
    if let cc = profile.pageCacheControl { extra.append(("Cache-Control", cc)) }
    if request.header("If-None-Match") == etag { return FixtureResponse(status: 304, headers: extra) }
    var r = page
    r.headers += extra
    return r
  }

  static func prefersJSON(_ accept: String) -> Bool {
    accept.contains("application/vnd.pypi.simple.v1+json") || accept.contains("application/vnd.pypi.simple.latest+json")
  }

  /// A directory tree: `/simple/<name>/` answers `index.json` (when JSON is preferred and
  /// present) or `index.html`; other paths are files under the root.
  static func staticTree(_ request: RecordedRequest, root configured: String) -> FixtureResponse {
    let path = request.path
    guard !path.contains("..") else { return .text(400, "bad path") }
    // Answers only for its own loopback address (no DNS rebinding), and only inside the root
    // once every link is followed.
    guard HostHeader.accepts(request.header("Host"), listeningOn: "127.0.0.1", port: request.serverPort) else {
      return .text(421, "this index answers only requests for its own address")
    }
    guard let root = realPath(configured) else { return .text(404, "Not Found") }
    func readFile(_ p: String) -> [UInt8]? {
      guard let real = realPath(p), real == root || real.hasPrefix(root + "/") else { return nil }
      return FixtureRouter.readFile(real)
    }
    if path.hasSuffix("/") {
      if prefersJSON(request.header("Accept") ?? ""), let body = readFile(root + path + "index.json") {
        return FixtureResponse(status: 200, headers: [("Content-Type", "application/vnd.pypi.simple.v1+json")], body: body)
      }
      if let body = readFile(root + path + "index.html") {
        return FixtureResponse(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: body)
      }
      return .text(404, "Not Found")
    }
    if let body = readFile(root + path) { return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: body) }
    if readFile(root + path + "/index.html") != nil { return redirect(path + "/") }
    return .text(404, "Not Found")
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  static func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    var out = [UInt8](repeating: 0, count: Int(st.st_size))
    var off = 0
    while off < out.count {
      let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + off, $0.count - off) }
      if n <= 0 { break }
      off += n
    }
    return Array(out[0..<off])
  }

  static func percentEncode(_ s: String) -> String {
    var out = ""
    for b in s.utf8 {
      let c = Character(Unicode.Scalar(b))
      if b < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) { out.append(c) } else { out += "%" + String(b, radix: 16, uppercase: true).leftPad2() }
    }
    return out
  }

  static func base64Decode(_ s: String) -> [UInt8]? {
    var out: [UInt8] = []
    var acc: UInt32 = 0, bits = 0
    for c in s.utf8 {
      let v: UInt32
      switch c {
      case 0x41...0x5A: v = UInt32(c - 0x41)
      case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
      case 0x30...0x39: v = UInt32(c - 0x30 + 52)
      case UInt8(ascii: "+"): v = 62
      case UInt8(ascii: "/"): v = 63
      case UInt8(ascii: "="): continue
      default: return nil
      }
      acc = acc << 6 | v
      bits += 6
      if bits >= 8 { bits -= 8; out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits))) }
    }
    return out
  }

  static func base64(_ bytes: [UInt8]) -> String {
    let a = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i]), b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0, b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let n = b0 << 16 | b1 << 8 | b2
      out.append(a[Int(n >> 18 & 63)]); out.append(a[Int(n >> 12 & 63)])
      out.append(i + 1 < bytes.count ? a[Int(n >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? a[Int(n & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension String {
  func replacingOccurrences(_ a: String, _ b: String) -> String {
    split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
  }
}
