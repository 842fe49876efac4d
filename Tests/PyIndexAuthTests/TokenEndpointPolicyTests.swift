import PyIndexAuth
import PyIndexModel
import Testing

@Suite("the outbound policy for token endpoints")
struct TokenEndpointPolicyTests {
  let policy = OutboundPolicy { host, _ in host == "trusted.example" }

  @Test("https anywhere; plain http only to loopback and the cloud metadata addresses", arguments: [
    ("https://sts.us-east-1.amazonaws.com/", true),
    ("https://login.microsoftonline.com/t/oauth2/v2.0/token", true),
    ("http://127.0.0.1:8080/token", true),
    ("http://localhost/token", true),
    ("http://[::1]:9/token", true),
    ("http://169.254.169.254/latest/api/token", true),
    ("http://[fd00:ec2::254]/latest/api/token", true),
    ("http://169.254.170.2/v2/credentials/x", true),
    ("http://169.254.170.23/v1/credentials", true),
    ("http://metadata.google.internal/computeMetadata/v1/", true),
    ("http://sts.example.com/", false),
    ("http://trusted.example/token", false),  // --trusted-host does not widen it
    ("http://169.254.169.253/", false),
    ("ftp://127.0.0.1/token", false),
  ])
  func verdicts(_ url: String, _ allowed: Bool) {
    #expect((policy.refusesTokenEndpoint(SafeURL(stringLiteral: url)) == nil) == allowed, "\(url)")
  }
}
