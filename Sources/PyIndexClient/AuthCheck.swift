public import PyIndexAuth
public import PyIndexModel
import PyIndexParsing
public import PyIndexTransport

import PyIndexSystem

/// What `auth check` found for one index: each step of the checklist, then one outcome with
/// its cause and fix.
public struct AuthCheckReport: Sendable {
  /// The classes of the contract's `outcome` field.
  public enum Outcome: String, Sendable, CaseIterable {
    case ok, auth, notFound = "not-found", loginPage = "login-page", tls, proxy, dns, connect, timeout, `protocol`

    /// The class of failure (nil for `ok`); the exit code follows from it.
    public var kind: FailureKind? {
      switch self {
      case .ok: nil
      case .notFound: .resolution
      case .auth, .loginPage: .authentication
      case .tls, .proxy, .dns, .connect, .timeout: .network
      case .protocol: .integrity
      }
    }

    /// The contract's exit code for this outcome (``FailureKind/exitCode``; 0 for `ok`).
    public var exitCode: Int32 { kind?.exitCode ?? 0 }
  }

  /// One line of the checklist: passed, failed, or informational (nil).
  public struct Step: Sendable {
    public var name: String
    public var passed: Bool?
    public var detail: String
  }

  /// The index, redacted.
  public var index: String
  /// Where the index was configured (a flag, a variable, `file:line`), when the caller knows.
  public var indexSource: String? = nil
  public var credentialSource: CredentialSource
  public var steps: [Step] = []
  public var outcome: Outcome = .ok
  /// The last HTTP status the check got (root, or project page), nil when none.
  public var httpStatus: Int?
  /// What went wrong, in one sentence (nil when everything passed).
  public var cause: String?
  /// What to do about it.
  public var hint: String?
}

/// Runs the `auth check` checklist against each configured index: configuration and
/// credentials (source, token kind and its problems), DNS, connection (direct or which
/// proxy), TLS (issuer and expiry, trust sources), the index root and, when asked, a project
/// page; then names one outcome with a cause and a fix.
public struct AuthChecker: Sendable {
  public let client: IndexClient
  /// What the checklist asks about each index's way besides fetching (the client's transport).
  public let routes: any RouteInspecting
  /// Seconds since 1970, for token expiry.
  public let now: Double

  public init(client: IndexClient, routes: any RouteInspecting, now: Double) {
    self.client = client
    self.routes = routes
    self.now = now
  }

  /// One report per configured index, in order.
  public func check(project: ProjectName?) async -> [AuthCheckReport] {
    var reports: [AuthCheckReport] = []
    for index in client.settings.indexes {
      reports.append(await check(index, project: project))
    }
    return reports
  }

  /// The answer to one GET, reduced to what the checklist needs.
  struct Answer {
    var status: Int
    var finalURL: SafeURL
    var contentType: String?
    /// nil when the body is not a simple-API page.
    var format: PageFormat?
    var links = 0
    var distributions = 0
    var passwordField = false
    var parseError: ParseError?
    /// What the page shows the index supports (PEP 691 JSON, API version, 658/714, 700, 740, 792).
    var capabilities: [String] = []
    /// The first distribution file it links, for the range-request probe.
    var firstFile: SafeURL?
  }

  /// What the checklist knows about one index's credentials.
  struct Context {
    var index: IndexURL
    /// The index's URL (http or https).
    var parts: SafeURL
    var source: CredentialSource
    var tokenKind: TokenKind?
    var tokenProblems: [String]
    var route: String
    /// "the credentials look malformed: …" when the token checks found problems.
    var malformed: String? { tokenProblems.isEmpty ? nil : "the credentials look malformed: " + tokenProblems.joined(separator: "; ") }
    var sent: String { source == .none ? "no credentials were sent" : "\(source.phrase) were sent" }
  }

  func check(_ index: IndexURL, project: ProjectName?) async -> AuthCheckReport {
    let transport = client.transport
    let match = index.isFile ? CredentialStore.Match(credentials: nil, source: .none) : await routes.credentials(for: index.url)
    var report = AuthCheckReport(index: index.redacted, credentialSource: match.source)
    if let dir = index.filePath { return checkLocal(dir, report: report, project: project) }
    let parts = index.url
    var context = Context(index: index, parts: parts, source: match.source, tokenKind: nil, tokenProblems: [], route: routes.route(for: index.url))
    if let failure = match.mintFailure {
      report.fail(.auth, step: "credentials", detail: "minting failed (\(failure.provider))", cause: failure.description, hint: failure.hint)
      return report
    }
    configurationSteps(match, &context, &report)
    if parts.scheme == "http", !transport.allowsPlainHTTP(to: parts) {
      report.fail(.protocol, step: "index root", detail: "plain http to \(parts.host), which is neither local nor --trusted-host", cause: "pyindex (like pip) does not use plain http to a remote host", hint: "use the https URL of the index, or pass --trusted-host \(parts.host)")
      return report
    }
    guard await dnsStep(context, &report) else { return report }
    guard let rootPassed = await rootSteps(context, project: project, &report) else { return report }
    if let project { await projectStep(project, context, rootPassed: rootPassed, &report) }
    return report
  }

  /// "a" or "an", as the word after it is spoken (an Azure DevOps token, a GitLab token).
  static func article(_ word: String) -> String {
    guard let first = word.lowercased().first else { return "a" }
    return "aeio".contains(first) ? "an" : "a"
  }

  /// Where the credentials come from, and what they look like.
  func configurationSteps(_ match: CredentialStore.Match, _ context: inout Context, _ report: inout AuthCheckReport) {
    guard let c = match.credentials else {
      report.steps.append(.init(name: "credentials", passed: nil, detail: "none found (URL userinfo, PYINDEX_USERNAME/PYINDEX_PASSWORD, netrc, keyring when enabled, minted when a provider knows the registry)"))
      return
    }
    let token = TokenInspector.inspect(c, host: context.parts.host, now: now)
    context.tokenProblems = token.problems + context.index.userinfoProblems
    context.tokenKind = token.kind
    let problems = context.tokenProblems
    let minted = match.minted.map { " (\($0.description))" } ?? ""
    report.steps.append(.init(name: "credentials", passed: true, detail: "\(match.source.phrase)\(minted): \(Self.shape(c))"))
    report.steps.append(.init(name: "token", passed: problems.isEmpty, detail: problems.isEmpty ? "looks like \(Self.article(token.kind.rawValue)) \(token.kind.rawValue)" : "\(token.kind.rawValue): " + problems.joined(separator: "; ")))
  }

  /// DNS, unless a proxy resolves the name; false when the name does not resolve.
  func dnsStep(_ context: Context, _ report: inout AuthCheckReport) async -> Bool {
    let host = context.parts.host
    if routes.usesProxy(for: context.index.url) {
      report.steps.append(.init(name: "dns", passed: nil, detail: "\(host) is resolved by the proxy"))
    } else if let addresses = await Self.resolve(host) {
      report.steps.append(.init(name: "dns", passed: true, detail: "\(host) → \(addresses.prefix(3).joined(separator: ", "))"))
    } else {
      let e = TransportError.dns(host: host, url: (context.index.url))
      report.fail(.dns, step: "dns", detail: "\(host) does not resolve", cause: e.description, hint: e.hint)
      return false
    }
    return true
  }

  /// The index root: connection, TLS, and what answers. Nil when the check ends here; else
  /// whether the root passed (a 404 on the root goes on to the project page, when asked:
  /// some registries list no root).
  func rootSteps(_ context: Context, project: ProjectName?, _ report: inout AuthCheckReport) async -> Bool? {
    let root: Answer
    do { root = try await get(context.index.url) } catch {
      report.record(failure: error, route: context.route)
      return nil
    }
    report.steps.append(.init(name: "connection", passed: true, detail: context.route))
    if context.parts.scheme == "https" { report.steps.append(await tlsStep(context)) }
    report.httpStatus = root.status
    let verdict = judge(root, what: "index root", context, projectPage: false)
    report.steps.append(verdict.step)
    if let failure = verdict.failure, !(failure.outcome == .notFound && project != nil) {
      report.apply(failure)
      return nil
    }
    return verdict.failure == nil
  }

  /// The certificate the index presented, and what it was trusted by.
  func tlsStep(_ context: Context) async -> AuthCheckReport.Step {
    let transport = routes
    let parts = context.parts
    let certificate =
      transport.usesProxy(for: context.index.url)
      ? "through the proxy's tunnel" : await transport.certificateSummary(host: parts.host, port: parts.effectivePort ?? 443) ?? "verified"
    if transport.skipsVerification(for: parts) {
      return .init(name: "tls", passed: true, detail: "\(certificate); NOT verified: \(parts.host) is a --trusted-host")
    }
    return .init(name: "tls", passed: true, detail: "\(certificate); trusted: \(transport.trustSummary)")
  }

  /// The project's page.
  func projectStep(_ project: ProjectName, _ context: Context, rootPassed: Bool, _ report: inout AuthCheckReport) async {
    let answer: Answer
    do { answer = try await get(context.index.projectURL(project)) } catch {
      report.record(failure: error, route: context.route)
      return
    }
    report.httpStatus = answer.status
    let verdict = judge(answer, what: "project \(project.typed)", context, projectPage: rootPassed)
    report.steps.append(verdict.step)
    if let failure = verdict.failure {
      report.apply(failure)
      return
    }
    guard answer.format != nil else { return }
    var capabilities = answer.capabilities
    if let file = answer.firstFile, await acceptsRanges(file) { capabilities.append("range requests") }
    report.steps.append(.init(name: "capabilities", passed: nil, detail: capabilities.isEmpty ? "PEP 503 HTML only" : capabilities.joined(separator: ", ")))
  }

  /// Whether a file of the index answers a one-byte `Range` request with 206 (what the resolver
  /// reads wheel metadata with when there is no PEP 658 file).
  func acceptsRanges(_ url: SafeURL) async -> Bool {
    let status = try? await client.transport.get(url, headers: [("Range", "bytes=0-0")]) { response in
      _ = try? await response.body.collect(upTo: 64 * 1024)
      return response.meaning
    }
    return status == .partialContent
  }

  /// A failed check: its outcome, cause and fix.
  struct Failure {
    var outcome: AuthCheckReport.Outcome
    var cause: String
    var hint: String?
  }

  /// What an answer means for the checklist (the status's meaning is ``ResponseMeaning``'s).
  func judge(_ a: Answer, what: String, _ context: Context, projectPage: Bool) -> (step: AuthCheckReport.Step, failure: Failure?) {
    let via = Self.otherHost(a.finalURL, than: context.parts).map { ", after a redirect to \($0)" } ?? ""
    let step = AuthCheckReport.Step(name: what, passed: false, detail: "\(a.status)\(via)")
    switch ResponseMeaning(status: a.status) {
    case .content:
      return judgeContent(a, what: what, context, projectPage: projectPage, via: via)
    case .refused(let status):
      let refusal = Refusal(status: status, source: context.source)
      guard context.source != .none, let malformed = context.malformed else {
        return (step, Failure(outcome: .auth, cause: refusal.cause, hint: context.source == .none ? Refusal.addCredentials : refusal.hint))
      }
      return (step, Failure(outcome: .auth, cause: "\(malformed) (the index answered \(status))", hint: "fix the token as the warning says; pyindex never prints it"))
    case .missing(let status):
      return (step, judgeMissing(status, what: what, context, projectPage: projectPage, via: via))
    case .unavailable, .unexpected, .partialContent, .notModified:
      let status = a.status
      return (
        step,
        Failure(outcome: .protocol, cause: "the index answered HTTP \(status)\(via)", hint: ResponseMeaning(status: status).isServerFailure ? "the server failed; try again later or raise --retries" : "check the index URL")
      )
    }
  }

  /// A 200: an index page, a sign-in page, or something else.
  func judgeContent(_ a: Answer, what: String, _ context: Context, projectPage: Bool, via: String) -> (step: AuthCheckReport.Step, failure: Failure?) {
    if a.passwordField, a.distributions == 0 {
      return (
        .init(name: what, passed: false, detail: "200, a sign-in page (a password field, no distributions)\(via)"),
        Failure(
          outcome: .loginPage, cause: "the server answered with a web sign-in page instead of an index\(via); \(context.sent)",
          hint: context.source == .none
            ? "send credentials the registry accepts for API access (Azure Artifacts: any user name and a personal access token with Packaging read); indexes behind SSO show a sign-in page to requests without them"
            : "use the registry's simple API URL (for example …/simple/), and credentials it accepts for API access (a token, not an SSO password)"))
    }
    guard a.format != nil else {
      return (
        .init(name: what, passed: false, detail: "200 \(a.contentType ?? "without Content-Type"): not a simple-API page\(via)"),
        Failure(outcome: .protocol, cause: "the URL answers, but not with a PEP 503/691 page (Content-Type \(a.contentType ?? "none"))\(via)", hint: "check that the index URL is the simple API (it usually ends in /simple/)"))
    }
    if let e = a.parseError {
      return (.init(name: what, passed: false, detail: "200, unreadable: \(e)"), Failure(outcome: .protocol, cause: "the page cannot be read: \(e)", hint: nil))
    }
    let listed = projectPage || what.hasPrefix("project") ? "\(a.distributions) distribution file\(a.distributions == 1 ? "" : "s")" : "\(a.links) link\(a.links == 1 ? "" : "s")"
    return (.init(name: what, passed: true, detail: "200, \(listed)\(via)"), nil)
  }

  /// A 404 or 410: a wrong URL, a missing project, or (on registries that hide refusals
  /// behind a 404) credentials that are missing or wrong.
  func judgeMissing(_ status: Int, what: String, _ context: Context, projectPage: Bool, via: String) -> Failure {
    let hides = Registries.hides401Behind404(context.index.url)
    let sent = context.source != .none
    if what.hasPrefix("project"), projectPage {
      return Failure(
        outcome: .notFound, cause: "the project is not on this index (the index root answered; the project page is \(status))",
        hint: hides && sent ? "check the project name; \(Registries.hiding404Names) also answer 404 when the token cannot read this project" : "check the project name")
    }
    if hides {
      // Credentials that look wrong make the 404 an authentication failure for sure.
      return Failure(
        outcome: context.malformed == nil ? .notFound : .auth,
        cause: sent
          ? "a 404 that probably means the credentials are wrong or cannot read this project (this registry answers 404, not 401)\(context.malformed.map { "; \($0)" } ?? "")"
          : "a 404 that probably means missing credentials: this registry answers 404, not 401, when none are sent",
        hint: sent
          ? "check the token, its scopes (read_package_registry) and the user name this kind of token needs, then the project id in the URL"
          : "add credentials (\(Registries.hiding404.map(\.userNames).joined(separator: "; ")) and the token)")
    }
    return Failure(
      outcome: .notFound, cause: "the index URL is wrong (or the project id/repository in it): \(status) on the index root\(via)",
      hint: sent ? "check the index URL and the project or repository id in it" : "check the index URL; private registries such as \(Registries.hiding404Names) answer 404 when no credentials are sent")
  }

  /// GETs `url` and reads the page well enough to judge it.
  func get(_ url: SafeURL) async throws -> Answer {
    try await client.transport.get(url, headers: [("Accept", PageFormat.acceptHeader)]) { response in
      var answer = Answer(status: response.status, finalURL: response.finalURL, contentType: response.header("content-type"))
      guard response.meaning == .content else {
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return answer
      }
      answer.format = try? PageFormat(contentType: answer.contentType)
      let body = try await response.body.collect(upTo: 64 << 20)
      guard let format = answer.format else { return answer }
      var distributions = 0
      var seen = Capabilities()
      let parsed = IndexClient.parseWhole(body, format: format, pageURL: response.finalURL, detail: .full) { batch in
        batch.forEach { file in
          guard ClientIO.looksLikeDistribution(file.filename) else { return }
          distributions += 1
          seen.add(file, base: batch.base)
        }
      }
      switch parsed {
      case .success(let info):
        answer.links = info.linkCount
        answer.distributions = distributions
        answer.passwordField = info.hasPasswordField
        answer.capabilities = seen.list(format: format, info: info)
        answer.firstFile = seen.firstFile
      case .failure(let e):
        answer.parseError = e
      }
      return answer
    }
  }

  /// What a project page's files show of the index's support for the simple API's additions.
  struct Capabilities {
    var metadata = false, uploadTime = false, provenance = false
    var firstFile: SafeURL?

    mutating func add(_ file: DistributionFile, base: SafeURL?) {
      metadata = metadata || file.coreMetadata != nil
      uploadTime = uploadTime || file.uploadTime != nil
      provenance = provenance || file.provenance != nil
      if firstFile == nil, let base { firstFile = file.resolvedURL(base: base) }
    }

    func list(format: PageFormat, info: PageInfo) -> [String] {
      var out: [String] = []
      if format == .json { out.append("JSON API (PEP 691)") }
      out.append("API version \(info.apiVersion)")
      if metadata { out.append("metadata files (PEP 658/714)") }
      if uploadTime { out.append("upload times (PEP 700)") }
      if provenance { out.append("provenance (PEP 740)") }
      if let status = info.projectStatus { out.append("project status \(status) (PEP 792)") }
      return out
    }
  }

  /// A `file://` index: the directory, and the project's page in it.
  func checkLocal(_ dir: String, report: AuthCheckReport, project: ProjectName?) -> AuthCheckReport {
    var report = report
    var st = stat()
    guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
      report.fail(.notFound, step: "directory", detail: "\(dir) is not a directory", cause: "the file: index \(dir) does not exist", hint: "check the path of the index")
      return report
    }
    report.steps.append(.init(name: "directory", passed: true, detail: dir))
    if let project {
      let page = dir + project.normalized + "/index.html"
      guard access(page, R_OK) == 0 else {
        report.fail(.notFound, step: "project \(project.typed)", detail: "no \(page)", cause: "the project is not in this index", hint: "check the project name")
        return report
      }
      report.steps.append(.init(name: "project \(project.typed)", passed: true, detail: page))
    }
    return report
  }

  /// The origin of `url` (`host[:port]`) when it is not the index's own.
  static func otherHost(_ url: SafeURL, than index: SafeURL) -> String? {
    let p = url
    guard p.host != index.host || p.effectivePort != index.effectivePort else { return nil }
    return p.effectivePort.map { "\(p.host):\($0)" } ?? p.host
  }

  /// What may be said about credentials: the user name when a password goes with it, lengths.
  static func shape(_ c: Credentials) -> String {
    if c.password.isEmpty { return c.username.isEmpty ? "empty user and password" : "a token as user name (\(c.username.count) characters)" }
    return "\(c.username.isEmpty ? "empty user" : "user \"\(c.username)\""), password of \(c.password.count) characters"
  }

  /// The addresses `host` resolves to, nil when it does not resolve.
  static func resolve(_ host: String) async -> [String]? {
    var bare = host
    if bare.hasPrefix("["), bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
    let name = bare
    return await Task.detached { () -> [String]? in
      var hints = addrinfo()
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
      var result: UnsafeMutablePointer<addrinfo>?
      guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return nil }
      defer { freeaddrinfo(first) }
      var out: [String] = []
      var p: UnsafeMutablePointer<addrinfo>? = first
      while let ai = p {
        var buf = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        if getnameinfo(ai.pointee.ai_addr, ai.pointee.ai_addrlen, &buf, socklen_t(buf.count), nil, 0, NI_NUMERICHOST) == 0 {
          let text = String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
          if !out.contains(text) { out.append(text) }
        }
        p = ai.pointee.ai_next
      }
      return out
    }.value
  }
}

extension AuthCheckReport {
  mutating func fail(_ outcome: Outcome, step: String, detail: String, cause: String, hint: String?) {
    steps.append(.init(name: step, passed: false, detail: detail))
    self.outcome = outcome
    self.cause = cause
    self.hint = hint
  }

  mutating func apply(_ failure: AuthChecker.Failure) {
    outcome = failure.outcome
    cause = failure.cause
    hint = failure.hint
  }

  /// A request that got no answer: which step failed, by the transport's classification.
  mutating func record(failure error: any Error, route: String) {
    guard let e = error as? TransportError else {
      fail(.protocol, step: "request", detail: "\(error)", cause: "\(error)", hint: nil)
      return
    }
    switch e {
    case .dns: fail(.dns, step: "dns", detail: "does not resolve", cause: e.description, hint: e.hint)
    case .connect: fail(.connect, step: "connection", detail: "\(route): refused or unreachable", cause: e.description, hint: e.hint)
    case .tls:
      steps.append(.init(name: "connection", passed: true, detail: route))
      fail(.tls, step: "tls", detail: "verification failed", cause: e.description, hint: e.hint)
    case .proxy: fail(.proxy, step: "connection", detail: route, cause: e.description, hint: e.hint)
    case .timeout: fail(.timeout, step: "connection", detail: "\(route): timed out", cause: e.description, hint: e.hint ?? "raise --timeout, or check the network path to the index")
    case .redirectRefused, .refused:
      fail(.protocol, step: "request", detail: e.description, cause: e.description, hint: e.hint ?? "the index URL redirects where pyindex will not follow (another scheme, or too many hops); use the URL the index is finally served from")
    case .bodyInterrupted, .other: fail(.protocol, step: "request", detail: e.description, cause: e.description, hint: e.hint ?? "try again; raise --retries if the network is flaky")
    }
  }
}
