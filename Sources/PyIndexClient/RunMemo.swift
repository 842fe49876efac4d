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
  private let pages = Mutex<[ProjectName: Task<[Listed], any Error>]>([:])

  init(usable: @escaping @Sendable (ProjectName) -> @Sendable (DistributionFile) -> Bool = { _ in { _ in true } }) {
    self.usable = usable
  }
  private let metadata = Mutex<[SafeURL: Task<CoreMetadata?, any Error>]>([:])
  private let stored = Mutex<[String: Task<DownloadedFile, any Error>]>([:])

  /// The files of `project` on the configured indexes, asked once per run.
  func files(for project: ProjectName, client: IndexClient) async throws -> [Listed] {
    let keep = usable(project)
    return try await Self.once(pages, project) {
      var out: [Listed] = []
      try await client.files(for: project) { file, base in if keep(file) { out.append(Listed(file: file, base: base)) } }
      return out
    }
  }

  /// A wheel's metadata by its URL, read once per run.
  func metadata(for url: SafeURL, _ read: @escaping @Sendable () async throws -> CoreMetadata?) async throws -> CoreMetadata? {
    try await Self.once(metadata, url, read)
  }

  /// A file stored in DEST by its final path, written once per run.
  func stored(at path: String, _ store: @escaping @Sendable () async throws -> DownloadedFile) async throws -> DownloadedFile {
    try await Self.once(stored, path, store)
  }

  private static func once<Key: Hashable & Sendable, Value: Sendable>(
    _ table: borrowing Mutex<[Key: Task<Value, any Error>]>, _ key: Key, _ make: @escaping @Sendable () async throws -> Value
  ) async throws -> Value {
    let task = table.withLock { t in
      if let running = t[key] { return running }
      let task = Task { try await make() }
      t[key] = task
      return task
    }
    return try await task.value
  }
}
