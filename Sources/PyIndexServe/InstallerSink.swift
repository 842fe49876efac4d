import NIOCore
import NIOHTTP1
import PyIndexAuth
import PyIndexModel
import PyIndexClient
import PyIndexTransport

/// `serve`'s ``FetchSink``: the installer's connection (and, with `--cache-dir`, the file being
/// kept). Bytes passed on cannot be taken back, so a server that ignores `Range` on a resume
/// ends the download instead of starting it over.
struct InstallerSink: FetchSink {
  let out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
  let request: HTTPRequestHead
  let keeping: StagedFile?
  /// Whether a response head went to the installer (after which no status can be sent).
  private(set) var answered = false
  /// The installer's own range, when upstream answered it with a 206 passed back as it is.
  private(set) var passedRange: String? = nil
  /// Where the bytes came from, redacted, for the log.
  private(set) var source = "upstream"

  init(out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, request: HTTPRequestHead, keeping: StagedFile?) {
    self.out = out
    self.request = request
    self.keeping = keeping
  }

  mutating func begin(_ response: Response) async throws -> Bool {
    source = response.finalURL.description
    if response.meaning == .partialContent {
      try await passPartial(response)
      return false
    }
    var headers = HTTPHeaders([("Content-Type", "application/octet-stream")])
    if let length = response.header("content-length").flatMap(WireNumber.count) {
      headers.add(name: "Content-Length", value: String(length))
    } else {
      headers.add(name: "Transfer-Encoding", value: "chunked")
    }
    answered = true
    try await out.write(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers)))
    guard request.method != .HEAD else {
      try await out.write(.end(nil))
      return false
    }
    return true
  }

  /// The installer's range request, answered by upstream: passed back unverified (a part has
  /// no digest; the installer checks the whole file).
  private mutating func passPartial(_ response: Response) async throws {
    var headers = HTTPHeaders([("Content-Type", "application/octet-stream")])
    for name in ["content-range", "content-length"] { if let v = response.header(name) { headers.add(name: name, value: v) } }
    answered = true
    passedRange = request.headers["Range"].first ?? ""
    try await out.write(.head(HTTPResponseHead(version: request.version, status: .partialContent, headers: headers)))
    let out = self.out
    try await response.body.forEachBuffer { chunk in try await out.write(.body(.byteBuffer(chunk))) }
    try await out.write(.end(nil))
  }

  mutating func write(_ chunk: ByteBuffer) async throws {
    if let keeping {
      // A copy that cannot keep up with the installer is given up, not waited for.
      if !chunk.withUnsafeReadableBytes({ keeping.write($0) }) || keeping.queued > StagedFile.maxQueued * 16 { keeping.discard() }
    }
    try await out.write(.body(.byteBuffer(chunk)))
  }

  mutating func restart() async throws -> Bool { false }

  /// The file is verified: the kept copy is complete and renamed into place before the
  /// installer gets the last piece (a request that follows the download finds it).
  mutating func complete(last: ByteBuffer?) async throws {
    if let keeping {
      if let last { last.withUnsafeReadableBytes { _ = keeping.write($0) } }
      try? await keeping.commit()
    }
    if let last { try await out.write(.body(.byteBuffer(last))) }
  }
}
