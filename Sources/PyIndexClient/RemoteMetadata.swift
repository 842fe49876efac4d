import PyIndexAuth
public import PyIndexModel
import PyIndexTransport

extension Downloader {
  /// A wheel's dependencies without downloading it: its PEP 658 metadata file (checked against
  /// the digest the page gives), else its `METADATA` read through HTTP range requests on the
  /// zip's central directory. nil when neither is possible (no metadata file, a server that
  /// ignores `Range`, a failure): the resolver then reads the downloaded wheel.
  /// - Throws: ``ClientError/digestMismatch(filename:url:algorithm:expected:actual:)`` when the
  ///   metadata file does not match its digest (pip stops there too).
  func remoteMetadata(_ selected: Selected) async throws -> CoreMetadata? {
    let url = selected.url
    if url.isFile {
      guard selected.mayReadLocal else { return nil }
      // A local wheel: reading its METADATA in place costs nothing.
      let path = LocalFile.path(of: url)
      return (try? WheelMetadata.read(path: path)).map(CoreMetadata.init)
    }
    if let digests = selected.file.coreMetadata, let metadata = try await pep658(url.appendingToPath(".metadata"), digests: digests, filename: selected.file.filename) {
      return metadata
    }
    return await ranged(url)
  }

  /// The PEP 658 file, verified; nil when the server has none after all.
  private func pep658(_ url: SafeURL, digests: [String: String], filename: String) async throws -> CoreMetadata? {
    let bytes: [UInt8]?
    do {
      bytes = try await client.transport.get(url, headers: [("Accept", "*/*"), ("Accept-Encoding", "identity")]) { response in
        guard response.meaning == .content else { return nil }
        return try await response.body.collect(upTo: 16 << 20)
      }
    } catch {
      return nil
    }
    guard let bytes else { return nil }
    var hasher = MultiHasher(algorithms: digests.keys)
    bytes.withUnsafeBytes { hasher.update($0) }
    let actual = hasher.finalize()
    if let m = MultiHasher.mismatch(actual, expected: digests) {
      throw ClientError.digestMismatch(filename: filename + ".metadata", url: (url), algorithm: m.algorithm, expected: m.expected, actual: m.actual)
    }
    return CoreMetadata(String(decoding: bytes, as: UTF8.self))
  }

  /// `METADATA` through range requests: the zip's tail, then what the central directory points
  /// at. nil as soon as the server answers anything but the range asked for.
  private func ranged(_ url: SafeURL) async -> CoreMetadata? {
    guard let (tail, size) = try? await fetchRange("bytes=-\(WheelMetadata.tailSize)", url: url), tail.count <= size else { return nil }
    var archive = WheelMetadata.Archive(size: size, tail: tail)
    for _ in 0..<WheelMetadata.Archive.maxSteps {
      guard let step = try? archive.step() else { return nil }
      switch step {
      case .done(let text): return CoreMetadata(text)
      case .need(let range):
        guard let (bytes, _) = try? await fetchRange("bytes=\(range.lowerBound)-\(range.upperBound - 1)", url: url),
          (try? archive.supply(bytes, for: range)) != nil
        else { return nil }
      }
    }
    return nil
  }

  /// One `Range` GET: the bytes and the file's total size from `Content-Range`; nil unless the
  /// answer is 206 with a `Content-Range` (a 200 is not read).
  private func fetchRange(_ range: String, url: SafeURL) async throws -> ([UInt8], Int)? {
    try await client.transport.get(url, headers: [("Accept", "*/*"), ("Accept-Encoding", "identity"), ("Range", range)]) { response in
      guard response.meaning == .partialContent, let contentRange = response.header("Content-Range"),
        let total = contentRange.split(separator: "/").last.flatMap(WireNumber.count)
      else { return nil }
      return (try await response.body.collect(upTo: 16 << 20 + WheelMetadata.tailSize), total)
    }
  }
}
