public import ArgumentParser
import Dispatch
import FoundationEssentials
import Synchronization

import PyIndexSystem

/// The options of `pyindex fixture` (and of `pyindex-fixture`, the same program under its own
/// name): start a fixture index on loopback with a named profile, print its URL, and serve
/// until SIGINT or SIGTERM.
public struct FixtureOptions: ParsableArguments {
  /// What the command does, for its help.
  public static let abstract = "Serve a fixture package index on 127.0.0.1 that behaves like a private registry."
  /// The profiles and what each emulates, for its help.
  public static let discussion = """
      Profiles: \(FixtureProfile.names.joined(separator: ", ")).
      public: no credentials. protected: Basic auth, 401 challenge.
      pypiserver: 401 without credentials, 403 for wrong ones, files under /packages/.
      gitlab: /api/v4/projects/42/packages/pypi/simple/, 404 without access; deploy token,
        CI job token and access token; files 302 to object storage that refuses Authorization.
      artifact-registry: /demo-project/demo-repo/simple/, 403 without credentials, 401 for wrong
        ones; _json_key_base64, oauth2accesstoken and _token; files outside the index path.
      artifactory: anonymous users see part of the listing; e-mail user + key, or a token with an
        empty user name.
      azure: a sign-in page on another origin without credentials, 401 for wrong ones; files on
        another path, 302 to blob storage with a SAS query.
      storage-redirect: files 302 to another origin with a presigned query.
      login-page: 200 sign-in page without credentials.
      static: serve --root as a PEP 503 tree (index.html / index.json per project).
      codeartifact: AWS CodeArtifact at /pypi/demo-repo/simple/, only the token its token API
        (POST /v1/authorization-token, SigV4 verified) issues, as aws; STS
        AssumeRoleWithWebIdentity and AssumeRole on the same port; a forward proxy stands in
        for the registry's host. It prints the variables a client needs; --username and
        --password-file set the access key id and secret.
      google-token: Google Artifact Registry at /demo-project/demo-repo/simple/, only the access
        tokens Google's endpoints on the same port issue (the OAuth token endpoint verifying RS256
        assertions and refresh tokens, Google STS, IAM impersonation, the metadata server), as
        oauth2accesstoken; a proxy stands in for us-python.pkg.dev. It writes a service account
        key, user credentials and workload identity configurations to --tls-dir (or a new
        directory) and prints their paths and the variables a client needs.
      entra: Azure Artifacts at /demo-org/_packaging/demo-feed/pypi/simple/, only the access token
        Entra ID's endpoints on the same port issue (client secret, certificate assertion verified
        with the certificate, a federated ID token; App Service and IMDS managed identity), as the
        password of any user; a proxy stands in for pkgs.dev.azure.com. It writes the client
        certificate and the ID token to --tls-dir (or a new directory) and prints the variables.
      oidc-issuer: a GitHub-style ID-token endpoint (GET /oidc/token); it prints
        ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN.
      The first line printed is "Serving on URL"; then one line per accepted credential. Those
      are made up anew each start, unless --username and --password-file set the only one
      (read from a file so it never shows in a process listing).
      """

  public init() {}

  @Option(help: "The profile to serve.")
  var profile: String = "public"

  @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
  var port: Int = 0

  @Option(help: "User name of the only accepted credentials (with --password-file).")
  var username: String?

  @Option(help: "File whose content (trailing newline removed) is the password of the only accepted credentials.")
  var passwordFile: String?

  @Option(help: "Directory served by the static profile.")
  var root: String?

  @Option(help: "Serve https with a CA made at start: valid, expired, wrong-host, or client-cert (a client certificate is required). The CA (and the client certificate) are written next to --tls-dir.")
  var tls: String?

  @Option(help: "Directory for ca.pem (and client.pem) when --tls is given, and for google-token's credentials files (default: a new temporary directory).")
  var tlsDir: String?

  @Flag(help: "Also start a forward proxy (CONNECT and absolute-form) on 127.0.0.1 and print its URL.")
  var proxy = false

  /// Starts the fixture, prints where it serves, and serves until SIGINT or SIGTERM.
  public func run() async throws {
    var credentials: (username: String, password: String)? = nil
    if let passwordFile {
      var password = try String(contentsOfFile: passwordFile, encoding: .utf8)
      while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
      credentials = (username ?? "user", password)
    } else if username != nil {
      throw ValidationError("--username needs --password-file")
    }
    guard let p = FixtureProfile.named(profile, credentials: credentials, root: root) else {
      throw ValidationError("unknown profile '\(profile)'; one of: \(FixtureProfile.names.joined(separator: ", "))")
    }
    var fixtureTLS: FixtureTLS? = nil
    var tlsLines = ""
    if let tls {
      let kinds = ["valid": TestPKI.Leaf.valid, "expired": .expired, "wrong-host": .wrongHost, "client-cert": .valid]
      guard let leaf = kinds[tls] else { throw ValidationError("--tls must be one of: valid, expired, wrong-host, client-cert") }
      let pki = try TestPKI()
      let dir = tlsDir ?? (FileManager.default.temporaryDirectory.path + "/pyindex-fixture-" + UUID().uuidString)
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      try pki.caPEM.write(toFile: dir + "/ca.pem", atomically: true, encoding: .utf8)
      tlsLines += "CA certificate: \(dir)/ca.pem\n"
      if tls == "client-cert" {
        try pki.client().combinedPEM.write(toFile: dir + "/client.pem", atomically: true, encoding: .utf8)
        tlsLines += "client certificate: \(dir)/client.pem\n"
      }
      fixtureTLS = FixtureTLS(identity: try pki.server(leaf), clientCA: tls == "client-cert" ? pki.caPEM : nil)
    }
    let index = try await FixtureIndex.start(p, port: port, tls: fixtureTLS)
    let standIns: Set<String> =
      p.aws != nil ? [FixtureProfile.codeArtifactHost] : p.google != nil ? [FixtureProfile.artifactRegistryHost] : p.entra != nil ? [FixtureProfile.azureArtifactsHost] : []
    let forwardProxy = proxy || !standIns.isEmpty ? try await FixtureProxy.start(standIns: standIns) : nil
    var text = "Serving on \(index.simpleURL)\n" + tlsLines
    if let forwardProxy { text += "proxy: \(forwardProxy.url)\n" }
    if let aws = p.aws, let forwardProxy {
      let origin = index.server.origin
      text += """
        index (as CodeArtifact names it, through the proxy): \(index.server.isTLS ? "https" : "http")://\(FixtureProfile.codeArtifactHost):\(index.server.port)\(p.layout.simplePath)
        HTTP_PROXY=\(forwardProxy.url)
        AWS_ENDPOINT_URL_CODEARTIFACT=\(origin)
        AWS_ENDPOINT_URL_STS=\(origin)
        AWS_ROLE_ARN=\(aws.roleArn)

        """
      if credentials == nil {
        text += "AWS_ACCESS_KEY_ID=\(aws.accessKeyId)\nAWS_SECRET_ACCESS_KEY=\(aws.secretAccessKey)\nweb identity token (for AWS_WEB_IDENTITY_TOKEN_FILE): \(aws.webIdentityToken)\n"
      }
    }
    if credentials == nil {
      // Test credentials, made up for this run: printing them is the point.
      for account in p.auth?.accounts ?? [] {
        text += "credentials (\(account.label)): user \"\(account.sampleUser)\" password \"\(account.password)\"\n"
      }
    }
    if let google = p.google, let forwardProxy {
      text += try googleLines(google, index: index, proxy: forwardProxy, layout: p.layout)
    } else if let entra = p.entra, let forwardProxy {
      text += try entraLines(entra, index: index, proxy: forwardProxy, layout: p.layout)
    } else if let issuer = p.issuer {
      text += "ACTIONS_ID_TOKEN_REQUEST_URL=\(index.server.origin)/oidc/token\nACTIONS_ID_TOKEN_REQUEST_TOKEN=\(issuer.requestToken)\n"
    }
    // Written whole and at once: tests and scripts/wheel-check read the first line.
    _ = text.utf8CString.withUnsafeBufferPointer { write(1, $0.baseAddress, $0.count - 1) }
    await waitForTermination()
    await index.stop()
    await forwardProxy?.stop()
  }

  /// Writes google-token's credentials files and says where they are and what to set.
  private func googleLines(_ google: GoogleTokenService, index: FixtureIndex, proxy: FixtureProxy, layout: FixtureLayout) throws -> String {
    let dir = tlsDir ?? (FileManager.default.temporaryDirectory.path + "/pyindex-fixture-" + UUID().uuidString)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let files = [
      ("service-account.json", google.serviceAccountKey), ("authorized-user.json", google.authorizedUser()), ("oidc-token", google.idToken),
      ("workload-identity-file.json", google.externalAccount(tokenFile: dir + "/oidc-token", impersonate: false)),
      ("workload-identity-url.json", google.externalAccount(tokenFile: nil, impersonate: true)),
    ]
    for (name, content) in files { try content.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    return """
      index (as Artifact Registry names it, through the proxy): \(index.server.isTLS ? "https" : "http")://\(FixtureProfile.artifactRegistryHost):\(index.server.port)\(layout.simplePath)
      HTTP_PROXY=\(proxy.url)
      GCE_METADATA_HOST=127.0.0.1:\(index.server.port)
      GOOGLE_APPLICATION_CREDENTIALS, one of:
        \(dir)/service-account.json (service_account)
        \(dir)/authorized-user.json (authorized_user)
        \(dir)/workload-identity-file.json (external_account, subject token from \(dir)/oidc-token)
        \(dir)/workload-identity-url.json (external_account, subject token from the ID-token endpoint, impersonating \(google.serviceAccount))

      """
  }

  /// Writes entra's certificate and ID token and says what to set.
  private func entraLines(_ entra: EntraTokenService, index: FixtureIndex, proxy: FixtureProxy, layout: FixtureLayout) throws -> String {
    let dir = tlsDir ?? (FileManager.default.temporaryDirectory.path + "/pyindex-fixture-" + UUID().uuidString)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try entra.certificatePEM.write(toFile: dir + "/client-certificate.pem", atomically: true, encoding: .utf8)
    try entra.issuer.idToken.write(toFile: dir + "/federated-token", atomically: true, encoding: .utf8)
    let origin = index.server.origin
    var lines = """
      index (as Azure Artifacts names it, through the proxy): \(index.server.isTLS ? "https" : "http")://\(FixtureProfile.azureArtifactsHost):\(index.server.port)\(layout.simplePath)
      HTTP_PROXY=\(proxy.url)
      AZURE_AUTHORITY_HOST=\(origin)
      AZURE_TENANT_ID=\(entra.tenant)
      AZURE_CLIENT_ID=\(entra.clientId)
      AZURE_CLIENT_CERTIFICATE_PATH=\(dir)/client-certificate.pem
      AZURE_FEDERATED_TOKEN_FILE=\(dir)/federated-token
      IDENTITY_ENDPOINT=\(origin)/msi/token
      AZURE_POD_IDENTITY_AUTHORITY_HOST=\(origin)

      """
    if username == nil {
      lines += "AZURE_CLIENT_SECRET=\(entra.clientSecret)\nIDENTITY_HEADER=\(entra.identityHeader)\n"
    }
    return lines
  }

  private func waitForTermination() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let once = OnceFlag()
      var sources: [any DispatchSourceSignal] = []
      for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        s.setEventHandler { if once.set() { c.resume() } }
        s.resume()
        sources.append(s)
      }
      Keep.sources = sources
    }
  }
}

private enum Keep { nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = [] }

/// True for the first caller only (the first signal resumes the wait).
private final class OnceFlag: Sendable {
  private let done = Atomic<Bool>(false)
  func set() -> Bool { !done.exchange(true, ordering: .acquiringAndReleasing) }
}
