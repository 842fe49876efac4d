import Synchronization
import PyIndexModel
import PyIndexParsing
import PyIndexTransport

import PyIndexSystem

/// Parses a response body while it is still arriving.
///
/// The body is written into a pipe that a parser thread reads, so the network transfer and the
/// parse overlap, the pipe's capacity bounds memory whatever the page size, and nothing is
/// written to disk. A parser that stops early (a page it refuses) closes its end; the writer
/// then stops and the rest of the body is dropped.
enum PageStream {
  /// Feeds `body` to `parse`, which runs on its own thread with the read end of a pipe.
  /// - Returns: what `parse` returned or threw as a ``ParseError``; a page past `limit` bytes
  ///   (after decoding) or one whose compressed data is broken is unreadable.
  /// - Throws: transport errors from reading the body.
  /// - Parameters:
  ///   - inflater: decodes a compressed body piece by piece on its way into the pipe.
  ///   - limit: the most bytes of (decoded) page read before the page is refused.
  ///   - tee: also receives every decoded chunk (the page cache).
  static func parse(
    _ body: ResponseBody, inflater: Inflater? = nil, limit: Int, tee: PageCache.Writer? = nil, _ parse: (Int32) throws(ParseError) -> PageInfo
  ) async throws -> Result<PageInfo, ParseError> {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw ClientError.fileSystem(path: "pipe", detail: String(cString: strerror(errno))) }
    let (readEnd, writeEnd) = (fds[0], fds[1])
    #if os(Linux)
      _ = fcntl(writeEnd, 1031 /* F_SETPIPE_SZ */, 1 << 20)  // fewer wake-ups; best effort
    #endif
    return try await withoutActuallyEscaping(parse) { parse in
      let job = ParseJob(parse: parse, fd: readEnd)
      let done = AsyncStream<Void>.makeStream()
      ParserThread.start {
        job.run()
        done.continuation.finish()
      }
      var writeError: (any Error)? = nil
      var refusal: ParseError? = nil
      var total = 0
      func pass(_ chunk: UnsafeRawBufferPointer) throws {
        guard !job.finished else { throw PipeClosed() }
        total += chunk.count
        guard total <= limit else { throw PageTooLarge() }
        if let tee, !tee.write(chunk) || tee.queued > PageCache.maxQueued { tee.discard() }
        var offset = 0
        while offset < chunk.count {
          guard let base = chunk.baseAddress else { return }
          let n = write(writeEnd, base + offset, chunk.count - offset)
          if n < 0 {
            if errno == EINTR { continue }
            throw PipeClosed()  // EPIPE: the parser stopped reading
          }
          offset += n
        }
      }
      do {
        try await body.forEachChunk { chunk in
          if let inflater { try inflater.feed(chunk, pass) } else { try pass(chunk) }
        }
        try inflater?.finish()
      } catch is PipeClosed {
      } catch is PageTooLarge {
        refusal = .unreadable("the page is larger than \(limit >> 20) MiB\(inflater == nil ? "" : " once decompressed"); pyindex reads no more of it")
      } catch let e as Inflater.Failure {
        refusal = .unreadable(e.description)
      } catch {
        writeError = error
      }
      close(writeEnd)
      for await _ in done.stream {}  // ends when the parser thread has finished
      close(readEnd)
      if let writeError { throw writeError }
      if let refusal { return .failure(refusal) }
      return job.result ?? .failure(.unreadable("the parser did not finish"))
    }
  }

  private struct PipeClosed: Error {}
  private struct PageTooLarge: Error {}
}

/// The parse running on its own thread; read by the caller only after `done` is signalled.
private final class ParseJob: @unchecked Sendable {
  /// Dropped as soon as it has run, before the caller is told: the closure must not outlive
  /// the caller's `withoutActuallyEscaping`.
  private var parse: ((Int32) throws(ParseError) -> PageInfo)?
  let fd: Int32
  var result: Result<PageInfo, ParseError>?
  private let flag = Atomic<Bool>(false)
  init(parse: @escaping (Int32) throws(ParseError) -> PageInfo, fd: Int32) {
    self.parse = parse
    self.fd = fd
  }
  var finished: Bool { flag.load(ordering: .acquiring) }
  func run() {
    if let parse {
      do { result = .success(try parse(fd)) } catch { result = .failure(error) }
    }
    parse = nil
    flag.store(true, ordering: .releasing)
    // Unblock a writer waiting on a full pipe: nothing more will be read.
    _ = shutdownRead(fd)
  }
  private func shutdownRead(_ fd: Int32) -> Int32 {
    // Drain whatever is left so the writer never blocks on a parser that has stopped.
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n > 0 { continue }
      if n < 0, errno == EINTR { continue }
      return Int32(n)
    }
  }
}

/// A plain OS thread for blocking work (the parser blocks on `read`), off the cooperative pool.
enum ParserThread {
  static func start(_ body: @escaping @Sendable () -> Void) {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var tid = pthread_t()
    let rc = pthread_create(&tid, nil, { arg in
      let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
      b.body()
      return nil
    }, box)
    if rc == 0 { pthread_detach(tid) } else { Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body() }
  }
}
