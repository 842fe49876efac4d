import Crypto
import PyIndexMint
import PyIndexSystem
import Synchronization

/// The token endpoints a `codeartifact` fixture answers on its own port, as AWS does:
/// CodeArtifact's `POST /v1/authorization-token` (SigV4 verified against the one access key
/// it knows, or a session key it issued), and STS (`POST /`, the query protocol):
/// `AssumeRoleWithWebIdentity` for the one web identity token it accepts, `AssumeRole` signed
/// by a key it knows. The registry accepts only the authorization token it issues, as `aws`.
public final class AWSTokenService: FixtureEndpoints {
  public let accessKeyId: String
  public let secretAccessKey: String
  /// The web identity (OIDC ID) token STS accepts.
  public let webIdentityToken: String
  /// The token the registry accepts as `aws:TOKEN`.
  public let authorizationToken: String
  /// The role ARN sessions are issued for.
  public let roleArn = "arn:aws:iam::111122223333:role/pyindex-ci"
  /// How CodeArtifact writes `expiration`: epoch seconds (as the API does) or ISO 8601 text.
  public let isoExpiration: Bool
  private let lifetimeValue: Mutex<Double>
  /// Seconds the authorization tokens it issues from now on live.
  public var lifetime: Double {
    get { lifetimeValue.withLock { $0 } }
    set { lifetimeValue.withLock { $0 = newValue } }
  }
  private let sessions = Mutex<[String: (secret: String, token: String)]>([:])
  /// Requests that failed verification, and why (for tests).
  private let refusals = Mutex<[String]>([])

  public init(accessKeyId: String? = nil, secretAccessKey: String? = nil, isoExpiration: Bool = false, lifetime: Double = 43_200) {
    self.accessKeyId = accessKeyId ?? "AKIA" + FixtureProfile.token("", length: 16).uppercased()
    self.secretAccessKey = secretAccessKey ?? FixtureProfile.token("", length: 40)
    webIdentityToken = FixtureProfile.jwtLike()
    authorizationToken = FixtureProfile.token("eyJ2ZXIiOjEsImlzdSI6", length: 120)
    self.isoExpiration = isoExpiration
    lifetimeValue = Mutex(lifetime)
  }

  /// Every secret it issued (session secrets and tokens, instance metadata tokens), for the
  /// tests' secret sweep.
  public var issued: [String] {
    sessions.withLock { $0.values.flatMap { [$0.secret, $0.token] } } + metadataTokens.withLock { Array($0) }
  }

  /// The secret and session token of a session key it issued.
  public func session(_ accessKeyId: String) -> (secret: String, token: String)? {
    sessions.withLock { $0[accessKeyId] }
  }

  /// Why requests were refused, in order.
  public var refused: [String] { refusals.withLock { $0 } }

  /// The `Authorization` the container credentials endpoint demands
  /// (`AWS_CONTAINER_AUTHORIZATION_TOKEN`).
  public let containerToken = FixtureProfile.token("", length: 32)
  /// The instance profile's role name, as instance metadata lists it.
  public let instanceRole = "pyindex-ci"
  private let metadataTokens = Mutex<Set<String>>([])

  /// The answer for a token request, nil for any other request.
  func answer(_ request: RecordedRequest) -> FixtureResponse? {
    if request.method == "PUT", request.path == "/latest/api/token" {
      guard request.header("X-aws-ec2-metadata-token-ttl-seconds") != nil else { return .text(400, "Missing TTL") }
      let token = FixtureProfile.token("AQAEA", length: 40)
      metadataTokens.withLock { _ = $0.insert(token) }
      return .text(200, token)
    }
    if request.method == "GET", request.path.hasPrefix("/latest/meta-data/iam/security-credentials/") {
      guard let t = request.header("X-aws-ec2-metadata-token"), metadataTokens.withLock({ $0.contains(t) }) else { return .text(401, "Unauthorized") }
      let role = request.path.dropFirst("/latest/meta-data/iam/security-credentials/".count)
      if role.isEmpty { return .text(200, instanceRole) }
      guard role == instanceRole else { return .text(404, "Not Found") }
      return .text(200, sessionJSON(extra: "\"Code\": \"Success\", \"Type\": \"AWS-HMAC\""), type: "text/plain")
    }
    if request.method == "GET", request.path.hasPrefix("/v2/credentials/") {
      guard request.header("Authorization") == containerToken else { return .text(401, "{\"message\": \"unauthorized\"}", type: "application/json") }
      return .text(200, sessionJSON(extra: "\"RoleArn\": \"\(roleArn)\""), type: "application/json")
    }
    guard request.method == "POST" else { return nil }
    if request.path == "/v1/authorization-token" { return codeArtifact(request) }
    if request.path == "/", request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true { return sts(request) }
    return nil
  }

  private func codeArtifact(_ request: RecordedRequest) -> FixtureResponse {
    if let problem = verify(request, service: "codeartifact") {
      refusals.withLock { $0.append(problem.message) }
      return FixtureResponse(status: 403, headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", problem.code + ":")], body: Array("{\"message\": \"\(problem.message)\"}".utf8))
    }
    let query = AWSTokenService.form(String(request.uri.drop(while: { $0 != "?" }).dropFirst()))
    guard query["domain"] == "demo", query["domain-owner"] == "111122223333" else {
      return FixtureResponse(status: 404, headers: [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ResourceNotFoundException:")], body: Array("{\"message\": \"Domain not found\"}".utf8))
    }
    let expiry = Clock.now() + lifetime
    let expiration = isoExpiration ? "\"\(AWSTokenService.iso(expiry))\"" : "\(Int(expiry))"
    return .text(200, "{\"authorizationToken\": \"\(authorizationToken)\", \"expiration\": \(expiration)}", type: "application/json")
  }

  private func sts(_ request: RecordedRequest) -> FixtureResponse {
    let form = AWSTokenService.form(String(decoding: request.body, as: UTF8.self))
    let action = form["Action"] ?? ""
    switch action {
    case "AssumeRoleWithWebIdentity":
      guard form["WebIdentityToken"] == webIdentityToken else {
        return AWSTokenService.stsError("InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider")
      }
      guard form["RoleArn"] == roleArn else { return AWSTokenService.stsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity") }
    case "AssumeRole":
      if let problem = verify(request, service: "sts") { return AWSTokenService.stsError(problem.code, problem.message) }
      guard form["RoleArn"] == roleArn else { return AWSTokenService.stsError("AccessDenied", "User is not authorized to perform: sts:AssumeRole") }
    default:
      return AWSTokenService.stsError("InvalidAction", "Could not find operation \(action)")
    }
    let (id, secret, token) = issue()
    let session = form["RoleSessionName"] ?? "session"
    let xml = """
      <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <\(action)Result>
          <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/pyindex-ci/\(session)</Arn><AssumedRoleId>AROAFIXTURE:\(session)</AssumedRoleId></AssumedRoleUser>
          <Credentials>
            <AccessKeyId>\(id)</AccessKeyId>
            <SecretAccessKey>\(secret)</SecretAccessKey>
            <SessionToken>\(token)</SessionToken>
            <Expiration>\(AWSTokenService.iso(Clock.now() + 3600))</Expiration>
          </Credentials>
        </\(action)Result>
        <ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
      </\(action)Response>
      """
    return .text(200, xml, type: "text/xml")
  }

  /// A new session key, as the metadata services write it.
  private func sessionJSON(extra: String) -> String {
    let (id, secret, token) = issue()
    return "{\(extra), \"AccessKeyId\": \"\(id)\", \"SecretAccessKey\": \"\(secret)\", \"Token\": \"\(token)\", \"Expiration\": \"\(AWSTokenService.iso(Clock.now() + 3600))\"}"
  }

  /// A new session key this service then accepts.
  private func issue() -> (id: String, secret: String, token: String) {
    let id = "ASIA" + FixtureProfile.token("", length: 16).uppercased()
    let secret = FixtureProfile.token("", length: 40), token = FixtureProfile.token("IQoJb3JpZ2luX2Vj", length: 200)
    sessions.withLock { $0[id] = (secret, token) }
    return (id, secret, token)
  }

  struct Problem {
    let code: String
    let message: String
  }

  /// Verifies a SigV4-signed request: a key this service knows (with its session token), the
  /// service in the scope, `X-Amz-Date` within 5 minutes, and the signature over the headers
  /// it names.
  func verify(_ request: RecordedRequest, service: String) -> Problem? {
    guard let authorization = request.header("Authorization"), authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
      return Problem(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
    }
    var fields: [String: String] = [:]
    for part in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
      let kv = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: " ") }
      if kv.count == 2 { fields[kv[0]] = kv[1] }
    }
    let scope = (fields["Credential"] ?? "").split(separator: "/").map(String.init)
    guard scope.count == 5, let signedNames = fields["SignedHeaders"]?.split(separator: ";").map(String.init), let signature = fields["Signature"] else {
      return Problem(code: "IncompleteSignatureException", message: "Authorization header requires Credential, SignedHeaders and Signature")
    }
    let secret: String
    if scope[0] == accessKeyId {
      secret = secretAccessKey
    } else if let session = sessions.withLock({ $0[scope[0]] }) {
      guard request.header("X-Amz-Security-Token") == session.token else { return Problem(code: "UnrecognizedClientException", message: "The security token included in the request is invalid") }
      secret = session.secret
    } else {
      return Problem(code: "UnrecognizedClientException", message: "The security token included in the request is invalid")
    }
    guard scope[3] == service, scope[4] == "aws4_request" else { return Problem(code: "InvalidSignatureException", message: "Credential should be scoped to correct service: '\(service)'") }
    guard let amzDate = request.header("X-Amz-Date"), amzDate.hasPrefix(scope[1]), let when = AWSTokenService.seconds(amzDate), abs(when - Clock.now()) <= 300 else {
      return Problem(code: "InvalidSignatureException", message: "Signature expired: the request's X-Amz-Date is more than 5 minutes from the server's time")
    }
    guard signedNames.contains("host") else { return Problem(code: "InvalidSignatureException", message: "Host must be signed") }
    let headers = request.headers.filter { signedNames.contains($0.0.lowercased()) }
    let query = String(request.uri.drop(while: { $0 != "?" }).dropFirst())
    let payload = SHA256.hash(data: request.body).map { String($0, radix: 16).leftPad2() }.joined()
    let (canonical, _) = SigV4.canonicalRequest(method: request.method, path: request.path, query: query, headers: headers, payloadHash: payload)
    let expected = SigV4(region: scope[2], service: service).signature(canonicalRequest: canonical, amzDate: amzDate, secret: secret)
    guard expected == signature else {
      return Problem(code: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided")
    }
    return nil
  }

  static func stsError(_ code: String, _ message: String) -> FixtureResponse {
    let xml = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>\(code)</Code><Message>\(message)</Message></Error><RequestId>0</RequestId></ErrorResponse>"
    return .text(code == "InvalidAction" ? 400 : 403, xml, type: "text/xml")
  }

  /// `a=1&b=2`, percent- and plus-decoded.
  static func form(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for item in text.split(separator: "&") {
      let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      out[decode(String(kv[0]))] = kv.count > 1 ? decode(String(kv[1])) : ""
    }
    return out
  }

  static func decode(_ s: String) -> String {
    var bytes: [UInt8] = []
    var i = Array(s.utf8)[...]
    while let b = i.popFirst() {
      if b == UInt8(ascii: "%"), i.count >= 2, let v = UInt8(String(decoding: i.prefix(2), as: UTF8.self), radix: 16) {
        bytes.append(v)
        i = i.dropFirst(2)
      } else {
        bytes.append(b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `2026-12-07T18:00:00Z`.
  static func iso(_ t: Double) -> String {
    var time = time_t(t)
    var parts = tm()
    gmtime_r(&time, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
  }

  /// Seconds since 1970 of `YYYYMMDDTHHMMSSZ`.
  static func seconds(_ amzDate: String) -> Double? {
    let d = Array(amzDate.utf8)
    guard d.count == 16, d[8] == UInt8(ascii: "T"), d[15] == UInt8(ascii: "Z") else { return nil }
    func n(_ r: Range<Int>) -> Int32? { Int32(String(decoding: d[r], as: UTF8.self)) }
    guard let y = n(0..<4), let mo = n(4..<6), let da = n(6..<8), let h = n(9..<11), let mi = n(11..<13), let s = n(13..<15) else { return nil }
    var parts = tm()
    (parts.tm_year, parts.tm_mon, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec) = (y - 1900, mo - 1, da, h, mi, s)
    return Double(timegm(&parts))
  }
}

extension String {
  func trimmingCharacters(in set: Character) -> String {
    var s = Substring(self)
    while s.first == set { s.removeFirst() }
    while s.last == set { s.removeLast() }
    return String(s)
  }
}
