public import NIOCore
public import PyIndexAuth
public import PyIndexTransport
public import PyIndexModel

/// Where a ``VerifiedFetch`` hands the bytes of a file: a temporary file in DEST (`download`),
/// or an installer's connection (`serve`).
public protocol FetchSink {
  /// The first response with a body: its head is known (a `Content-Disposition`, a length).
  /// - Returns: false to stop here, reading no body (a `HEAD` request, or a partial answer
  ///   the sink passed on itself); the fetch then verifies nothing and returns nil.
  mutating func begin(_ response: Response) async throws -> Bool
  /// The next bytes of the file. The last piece comes only after every digest matched, so a
  /// sink that passes bytes on never passes on a complete bad file.
  mutating func write(_ chunk: ByteBuffer) async throws
  /// The server ignored `Range` and sends the whole file again.
  /// - Returns: whether the sink started over; false when the bytes it passed on cannot be
  ///   taken back (the fetch then fails with the body cut short).
  mutating func restart() async throws -> Bool
  /// Every digest matched: the last piece (nil when there was no body), by default written
  /// like the others.
  mutating func complete(last: ByteBuffer?) async throws
}

extension FetchSink {
  public mutating func complete(last: ByteBuffer?) async throws {
    if let last { try await write(last) }
  }
}

/// A file's digests, checked against the index's.
public struct VerifiedFile: Sendable, Hashable {
  /// Every digest computed, hex, by algorithm.
  public let digests: [String: String]
  public let size: Int
}

/// A file whose bytes do not match a digest the index gave.
public struct DigestMismatch: Error, Sendable, Hashable {
  public let algorithm: String
  public let expected: String
  public let actual: String
}

/// The one way pyindex fetches a file: the answer's status read by ``ResponseMeaning``, a
/// body cut short resumed with `Range` within `--retries` (a 200 to a resume starts over),
/// every digest the index gave computed on the way and checked before the last piece reaches
/// the sink. `download` and `serve` both use it; `file:` URLs are read from disk the same way.
public struct VerifiedFetch: Sendable {
  public let transport: any HTTPFetching
  /// The file's URL (no userinfo), http(s) or `file:`.
  public let url: SafeURL
  /// The digests the index gave: all of them must match.
  public let expected: [String: String]
  /// The algorithms to compute (the expected ones, sha256, and any the caller checks itself).
  public let algorithms: Set<String>
  /// A `Range` to pass upstream as it is (`serve`, for an installer's range request): a 206
  /// answer goes to the sink's ``FetchSink/begin(_:)`` unverified.
  public var range: String?
  /// Whether a `file:` URL is read from disk (`download`'s `name @ file:` and local indexes,
  /// serve's `--cache-dir`); otherwise it goes to the transport, which refuses it.
  public var allowsLocal: Bool

  public init(
    transport: any HTTPFetching, url: SafeURL, expected: [String: String], alsoCompute: some Sequence<String> = [String](), range: String? = nil, allowsLocal: Bool = false
  ) {
    self.transport = transport
    self.url = url
    self.expected = expected
    self.algorithms = Set(expected.keys).union(alsoCompute).union(["sha256"])
    self.range = range
    self.allowsLocal = allowsLocal
  }

  /// The `file:` URL of a local path (a file kept by `serve --cache-dir`).
  public static func fileURL(_ path: String) -> SafeURL { SafeURL(filePath: path) }

  /// The state of one fetch across its attempts.
  struct Progress {
    var hasher: MultiHasher
    /// Bytes received so far (the held piece included): where a resume starts.
    var received = 0
    /// The latest piece, not yet handed to the sink.
    var held: ByteBuffer? = nil
    var begun = false
  }

  /// Fetches the file into `sink`.
  /// - Returns: its digests and size, or nil when the sink stopped at the head.
  /// - Throws: ``DigestMismatch`` (the sink never got the last piece), ``ClientError`` for an
  ///   answer that is not the file, ``TransportError`` when it could not be fetched, or
  ///   whatever the sink throws.
  public func run(into sink: inout some FetchSink) async throws -> VerifiedFile? {
    var progress = Progress(hasher: MultiHasher(algorithms: algorithms))
    if allowsLocal, url.isFile {
      guard try await LocalFile.read(url, into: &sink, progress: &progress) else { return nil }
    } else {
      guard try await fetchResuming(into: &sink, progress: &progress) else { return nil }
    }
    let digests = progress.hasher.finalize()
    if let m = MultiHasher.mismatch(digests, expected: expected) {
      throw DigestMismatch(algorithm: m.algorithm, expected: m.expected, actual: m.actual)
    }
    try await sink.complete(last: progress.held)
    return VerifiedFile(digests: digests, size: progress.received)
  }

  /// GETs the file, resuming after a body cut short or stalled; false when the sink stopped
  /// at the head.
  private func fetchResuming(into sink: inout some FetchSink, progress: inout Progress) async throws -> Bool {
    var attempt = 0
    while true {
      var headers = [("Accept", "*/*"), ("Accept-Encoding", "identity")]
      if progress.received > 0 { headers.append(("Range", "bytes=\(progress.received)-")) } else if let range { headers.append(("Range", range)) }
      do {
        return try await transport.get(url, headers: headers) { response in
          try await accept(response, into: &sink, progress: &progress)
        }
      } catch let cut as BodyCut {
        // The piece held back is part of what arrived: the resume starts after it.
        if let held = progress.held { try await sink.write(held) }
        progress.held = nil
        guard attempt < transport.retries else { throw cut.error }
        attempt += 1
        try await transport.pause(beforeRetry: attempt, of: url, reason: cut.error.shortReason)
      }
    }
  }

  /// Reads one response into the sink, by what its status means.
  private func accept(_ response: Response, into sink: inout some FetchSink, progress: inout Progress) async throws -> Bool {
    switch response.meaning {
    case .content where progress.received > 0:
      // The server ignores Range: start over.
      guard try await sink.restart() else { throw BodyCut(error: .bodyInterrupted(url: response.finalURL, detail: "the server ignored Range, and the start of the file was already passed on")) }
      progress = Progress(hasher: MultiHasher(algorithms: algorithms), begun: progress.begun)
    case .content:
      break
    case .partialContent where progress.received > 0 && Self.rangeStart(response.header("Content-Range")) == progress.received:
      break
    case .partialContent where progress.received == 0 && range != nil:
      break  // the caller's own range: handed over at the head
    case let meaning:
      throw meaning.failure(url: response.finalURL, source: response.credentialSource) ?? ClientError.httpStatus(url: response.finalURL, status: response.status)
    }
    if !progress.begun {
      progress.begun = true
      guard try await sink.begin(response) else { return false }
    }
    do {
      try await response.body.forEachBuffer { chunk in
        try await Self.take(chunk, into: &sink, progress: &progress)
      }
    } catch let e as TransportError where e.isCutShort {
      throw BodyCut(error: e)
    }
    return true
  }

  /// Hashes a piece and hands the one before it to the sink.
  static func take(_ chunk: ByteBuffer, into sink: inout some FetchSink, progress: inout Progress) async throws {
    chunk.withUnsafeReadableBytes { progress.hasher.update($0) }
    progress.received += chunk.readableBytes
    if let previous = progress.held { try await sink.write(previous) }
    progress.held = chunk
  }

  /// The first byte a `Content-Range: bytes a-b/total` covers.
  static func rangeStart(_ header: String?) -> Int? {
    guard let header, header.hasPrefix("bytes ") else { return nil }
    return WireNumber.count(header.dropFirst(6).prefix(while: { $0 != "-" }))
  }
}
