import PyIndexSystem

/// Runs a helper program (`keyring`, `python3`) to completion: stdin on /dev/null, stdout and
/// stderr captured up to a bound, killed at a deadline. For the package's own modules.
package enum Subprocess {
  package struct Outcome: Sendable {
    /// The exit status, or nil when the program was killed by a signal or the deadline.
    package var status: Int32?
    package var stdout: [UInt8]
    package var stderr: [UInt8]
    package var timedOut: Bool
  }

  /// The first executable called `name` on `path` (colon-separated).
  package static func find(_ name: String, path: String?) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    return (path ?? "/usr/bin:/bin").split(separator: ":").map { String($0) + "/" + name }.first { access($0, X_OK) == 0 }
  }

  /// Runs `executable`; nil when it could not be started.
  /// - Parameters:
  ///   - timeout: seconds before the program is killed.
  ///   - limit: bytes kept of each output stream.
  package static func run(_ executable: String, _ arguments: [String], environment: [String: String], timeout: Double = 60, limit: Int = 1 << 20) -> Outcome? {
    var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
    guard pipe(&out) == 0 else { return nil }
    guard pipe(&err) == 0 else { close(out[0]); close(out[1]); return nil }
    let pid = spawn(executable, arguments, environment: environment, stdout: out, stderr: err)
    close(out[1])
    close(err[1])
    defer { close(out[0]); close(err[0]) }
    guard let pid else { return nil }
    var result = collect(stdout: out[0], stderr: err[0], of: pid, timeout: timeout, limit: limit)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    if !result.timedOut, status & 0x7f == 0 { result.status = (status >> 8) & 0xff }
    return result
  }

  /// Starts the program with stdin from `/dev/null`, stdout and stderr into the pipes' write
  /// ends, default signal dispositions and an empty mask; nil when it could not be started.
  private static func spawn(_ executable: String, _ arguments: [String], environment: [String: String], stdout out: [Int32], stderr err: [Int32]) -> pid_t? {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, out[1], 1)
    posix_spawn_file_actions_adddup2(&actions, err[1], 2)
    for fd in [out[0], out[1], err[0], err[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for p in argv + envp { free(p) } }
    // pyindex ignores SIGINT and SIGTERM (a dispatch source handles them); the child gets
    // default dispositions and an empty mask back, or it could not be interrupted.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in [SIGINT, SIGTERM, SIGPIPE, SIGHUP] { sigaddset(&defaults, sig) }
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var pid: pid_t = 0
    return posix_spawn(&pid, executable, &actions, &attributes, argv, envp) == 0 ? pid : nil
  }

  /// Reads both pipes until each reaches end of file, keeping `limit` bytes of each; past the
  /// deadline the program is killed (``Outcome/timedOut``).
  private static func collect(stdout: Int32, stderr: Int32, of pid: pid_t, timeout: Double, limit: Int) -> Outcome {
    var result = Outcome(status: nil, stdout: [], stderr: [], timedOut: false)
    var open: [Int32] = [stdout, stderr]
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = monotonicSeconds() + timeout
    while !open.isEmpty {
      let remaining = deadline - monotonicSeconds()
      if remaining <= 0 { result.timedOut = true; kill(pid, SIGKILL); break }
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 1000)))
      if ready < 0 { if errno == EINTR { continue }; break }
      for p in fds where p.revents != 0 {
        let n = buffer.withUnsafeMutableBytes { LibC.read(p.fd, $0.baseAddress, $0.count) }
        if n <= 0 {
          if n < 0, errno == EINTR { continue }
          open.removeAll { $0 == p.fd }
          continue
        }
        if p.fd == stdout {
          if result.stdout.count < limit { result.stdout += buffer[0..<min(n, limit - result.stdout.count)] }
        } else if result.stderr.count < limit {
          result.stderr += buffer[0..<min(n, limit - result.stderr.count)]
        }
      }
    }
    return result
  }

  private static func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
