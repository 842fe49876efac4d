import PyIndexModel
import PyIndexParsing
import PyIndexTransport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Parses a response body while it is still arriving.
///
/// The body is written into a pipe that a parser thread reads, so the network transfer and the
/// parse overlap, the pipe's capacity bounds memory whatever the page size, and nothing is
/// written to disk. A parser that stops early (a page it refuses) closes its end; the writer
/// then stops and the rest of the body is dropped.
enum PageStream {
  /// Feeds `body` to `parse`, which runs on its own thread with the read end of a pipe.
  /// - Returns: what `parse` returned or threw as a ``ParseError``.
  /// - Throws: transport errors from reading the body.
  /// - Parameter tee: also receives every chunk (the page cache).
  static func parse(_ body: ResponseBody, tee: PageCache.Writer? = nil, _ parse: (Int32) throws(ParseError) -> PageInfo) async throws -> Result<PageInfo, ParseError> {
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
      do {
        try await body.forEachChunk { chunk in
          guard !job.finished else { throw PipeClosed() }
          tee?.write(chunk)
          var offset = 0
          while offset < chunk.count {
            let n = write(writeEnd, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 {
              if errno == EINTR { continue }
              throw PipeClosed()  // EPIPE: the parser stopped reading
            }
            offset += n
          }
        }
      } catch is PipeClosed {
      } catch {
        writeError = error
      }
      close(writeEnd)
      for await _ in done.stream {}  // ends when the parser thread has finished
      close(readEnd)
      if let writeError { throw writeError }
      return job.result ?? .failure(.unreadable("the parser did not finish"))
    }
  }

  private struct PipeClosed: Error {}
}

/// The parse running on its own thread; read by the caller only after `done` is signalled.
private final class ParseJob: @unchecked Sendable {
  /// Dropped as soon as it has run, before the caller is told: the closure must not outlive
  /// the caller's `withoutActuallyEscaping`.
  private var parse: ((Int32) throws(ParseError) -> PageInfo)?
  let fd: Int32
  var result: Result<PageInfo, ParseError>?
  private let flag = Atomic()
  init(parse: @escaping (Int32) throws(ParseError) -> PageInfo, fd: Int32) {
    self.parse = parse
    self.fd = fd
  }
  var finished: Bool { flag.isSet }
  func run() {
    if let parse {
      do { result = .success(try parse(fd)) } catch { result = .failure(error) }
    }
    parse = nil
    flag.set()
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

import Synchronization

private final class Atomic: Sendable {
  private let value = Mutex(false)
  var isSet: Bool { value.withLock { $0 } }
  func set() { value.withLock { $0 = true } }
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
