import PyIndexAuth
@testable import PyIndexClient
import PyIndexModel
import PyIndexParsing
import PyIndexTransport
import Testing

@Suite("what an answer means, and what an error is: each said once")
struct ResponseMeaningTests {
  @Test("every status the client meets has one meaning", arguments: [
    (200, ResponseMeaning.content), (206, .partialContent), (304, .notModified), (404, .missing(status: 404)), (410, .missing(status: 410)),
    (401, .refused(status: 401)), (403, .refused(status: 403)), (408, .unavailable(status: 408)), (429, .unavailable(status: 429)),
    (500, .unavailable(status: 500)), (503, .unavailable(status: 503)), (302, .unexpected(status: 302)), (406, .unexpected(status: 406)),
  ])
  func meaning(_ status: Int, _ expected: ResponseMeaning) {
    #expect(ResponseMeaning(status: status) == expected)
  }

  @Test("the transport's questions: which statuses it follows and which it retries")
  func transportQuestions() {
    #expect([301, 302, 303, 307, 308].allSatisfy(ResponseMeaning.isRedirect))
    #expect(![300, 304, 305, 306, 200, 404].contains(where: ResponseMeaning.isRedirect))
    #expect([408, 429, 500, 502, 503, 599].allSatisfy { ResponseMeaning(status: $0).isRetryable })
    #expect(![400, 401, 403, 404, 406, 410, 302].contains { ResponseMeaning(status: $0).isRetryable })
    #expect(ResponseMeaning(status: 404).isNotFound && !ResponseMeaning(status: 410).isNotFound)
    #expect(ResponseMeaning(status: 401).isUnauthorized && !ResponseMeaning(status: 403).isUnauthorized)
    #expect(ResponseMeaning(status: 502).isServerFailure && !ResponseMeaning(status: 429).isServerFailure)
    #expect(ResponseMeaning(status: 401).refusalPhrase == "Unauthorized" && ResponseMeaning(status: 403).refusalPhrase == "Forbidden")
  }

  @Test("where content was wanted, a refusal is an authentication failure and anything else an HTTP failure")
  func failures() {
    let url = SafeURL(stringLiteral: "https://u:secret@h/simple/x/")
    guard case .authentication(_, 403, false, .netrc)? = ResponseMeaning(status: 403).failure(url: url, source: .netrc)?.code else { Issue.record("403"); return }
    guard case .httpStatus(_, 404)? = ResponseMeaning(status: 404).failure(url: url, source: .none)?.code else { Issue.record("404"); return }
    #expect(ResponseMeaning(status: 200).failure(url: url, source: .none) == nil)
  }

  @Test("401 and 403 are told apart, and a refusal without credentials says none were sent")
  func refusals() {
    let none = Refusal(status: 401, source: .none)
    #expect(none.cause.hasPrefix("credentials missing"))
    #expect(none.hint.hasPrefix("no credentials were sent"))
    let wrong = Refusal(status: 401, source: .url)
    #expect(wrong.cause.hasPrefix("credentials wrong or expired"))
    #expect(wrong.hint.contains("_json_key_base64"))
    let denied = Refusal(status: 403, source: .env)
    #expect(denied.cause.hasPrefix("credentials lack permission"))
    #expect(denied.hint.contains("roles/artifactregistry.reader"))
    // ClientError's hint is the same words.
    #expect(ClientError.authentication(url: SafeURL(stringLiteral: "https://h/"), status: 403, loginPage: false, source: .env).hint == denied.hint)
  }

  @Test("registries that answer 404 to requests they will not serve are known by their URLs")
  func registries() {
    #expect(Registries.hides401Behind404("https://gitlab.example.com/api/v4/projects/1/packages/pypi/simple/"))
    #expect(Registries.hides401Behind404("https://d-123.d.codeartifact.eu-west-1.amazonaws.com/pypi/r/simple/"))
    #expect(!Registries.hides401Behind404("https://europe-python.pkg.dev/p/r/simple/"))
  }

  @Test("one exit-code table, and every module's error maps through it")
  func exitCodes() {
    #expect(FailureKind.allCases.map(\.exitCode) == [1, 1, 2, 3, 4, 64])
    let errors: [(any PyIndexError, Int32)] = [
      (ModelError.invalidVersion("x"), 64),
      (RequirementsFile.ParseError.invalid(origin: "r.txt:1", reason: "bad"), 64),
      (AuthError.secretNeedsEncoding(redacted: "https://****@h/"), 64),
      (NetworkConfigError.clientCertificate(path: "/c.pem", reason: "is missing"), 64),
      (ParseError.unreadable("x"), 4),
      (TransportError.timeout(url: SafeURL(stringLiteral: "https://h/")), 3),
      (ClientError.dependencyConflict("a and b"), 1),
      (ClientError.authentication(url: SafeURL(stringLiteral: "https://h/"), status: 401, loginPage: false, source: .none), 2),
      (ClientError.digestMismatch(filename: "f", url: SafeURL(stringLiteral: "https://h/f"), algorithm: "sha256", expected: "a", actual: "b"), 4),
      (ClientError.fileSystem(path: "/d", detail: "read-only"), 1),
    ]
    for (error, code) in errors { #expect(error.exitCode == code, "\(error)") }
    #expect(AuthCheckReport.Outcome.allCases.map(\.exitCode) == [0, 2, 1, 2, 3, 3, 3, 3, 3, 4])
  }

  @Test("an error keeps the error it was caused by, and a foreign error keeps its text")
  func causes() {
    let cut = TransportError.bodyInterrupted(url: SafeURL(stringLiteral: "https://h/f"), detail: "reset")
    let wrapped = ClientError(cut, at: "/dest")
    guard case .network(let inner) = wrapped.code else { Issue.record("\(wrapped)"); return }
    #expect(inner == cut)
    #expect((wrapped.underlying as? TransportError) == cut)
    struct Odd: Error {}
    let foreign = ClientError(Odd(), at: "/dest")
    #expect(foreign.kind == .fileSystem)
    #expect(foreign.underlying is UnexpectedError)
    #expect(foreign.description.hasPrefix("/dest: "))
    let model = ClientError(ModelError.invalidProjectName("a b"), at: "")
    #expect(model.kind == .usage)
    #expect(model.hint != nil)
  }
}
