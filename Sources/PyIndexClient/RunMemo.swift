import PyIndexModel
import Synchronization

/// What one `download` run fetched, shared by all its targets: each project's files (one page
/// request per project per run), each wheel's metadata, and each stored file (downloaded once,
/// however many targets choose it). Single-flight: a second asker awaits the first one's task.
final class RunMemo: Sendable {
  /// A file of a project page and the URL its links resolve against.
  struct Listed: Sendable {
    let file: DistributionFile
    let base: SafeURL?
  }

  /// For a project, whether a file of its page can serve some target of the run: only those
  /// are kept, so a page of a hundred thousand files for other platforms costs next to nothing.
  private let usable: @Sendable (ProjectName) -> @Sendable (DistributionFile) -> Bool
  private let pages = Mutex<[ProjectName: Entry<[Listed]>]>([:])

  init(usable: @escaping @Sendable (ProjectName) -> @Sendable (DistributionFile) -> Bool = { _ in { _ in true } }) {
    self.usable = usable
  }
  private let metadata = Mutex<[SafeURL: Entry<CoreMetadata?>]>([:])
  private let stored = Mutex<[String: Entry<DownloadedFile>]>([:])

  /// The most files of one project a run keeps (about 2 KiB each): far above any real project's
  /// files for the targets of a run, far below what a hostile page of millions would take.
  static let maxListed = 100_000

  /// The files of `project` on the configured indexes, asked once per run.
  func files(for project: ProjectName, client: IndexClient) async throws -> [Listed] {
    let keep = usable(project)
    return try await Self.once(pages, project) {
      var out: [Listed] = []
      var overflowed = false
      try await client.files(for: project) { file, base in
        guard keep(file) else { return }
        if out.count >= RunMemo.maxListed { overflowed = true } else { out.append(Listed(file: file, base: base)) }
      }
      if overflowed { throw ClientError.tooManyFiles(project: project, what: "files this run can use", limit: RunMemo.maxListed) }
      return out
    }
  }

  /// A wheel's metadata by its URL, read once per run.
  func metadata(for url: SafeURL, _ read: @escaping @Sendable () async throws -> CoreMetadata?) async throws -> CoreMetadata? {
    try await Self.once(metadata, url, read)
  }

  /// A wheel's metadata if it was read this run (never fetched here).
  func knownMetadata(for url: SafeURL) -> CoreMetadata? {
    metadata.withLock { t in
      if case .done(.success(let m)) = t[url] { return m }
      return nil
    }
  }

  /// A file stored in DEST by its final path, written once per run.
  func stored(at path: String, _ store: @escaping @Sendable () async throws -> DownloadedFile) async throws -> DownloadedFile {
    try await Self.once(stored, path, store)
  }

  /// A memo entry: the task while it runs, then its result alone (a finished task kept alive
  /// would keep its stack slabs: tens of KiB per page of a run).
  enum Entry<Value: Sendable>: Sendable {
    case running(Task<Value, any Error>)
    case done(Result<Value, any Error>)
  }

  private static func once<Key: Hashable & Sendable, Value: Sendable>(
    _ table: borrowing Mutex<[Key: Entry<Value>]>, _ key: Key, _ make: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    let entry: Entry<Value> = table.withLock { t in
      if let known = t[key] { return known }
      let task = Task { try await make() }
      t[key] = .running(task)
      return .running(task)
    }
    switch entry {
    case .done(let result):
      return try result.get()
    case .running(let task):
      let result = await task.result
      table.withLock { t in
        if case .running = t[key] { t[key] = .done(result) }
      }
      return try result.get()
    }
  }
}
