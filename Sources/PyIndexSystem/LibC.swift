// The one file that names the platform's C library. Every other module imports PyIndexSystem
// for the POSIX calls it makes (open, read, fsync, rename, posix_spawn, signals, poll...), so a
// port to macOS or to musl changes this file, not every module.
#if canImport(Glibc)
  @_exported import Glibc
#elseif canImport(Musl)
  @_exported import Musl
#elseif canImport(Darwin)
  @_exported import Darwin
#else
  #error("pyindex needs a POSIX C library: Glibc, Musl or Darwin")
#endif

/// The C library's calls whose names a Swift type in scope may shadow (`read`, `write`,
/// `pread` are also methods of file handles and sinks), and what differs between C libraries.
public enum LibC {
  /// `read(2)`: the bytes read, 0 at end of file, -1 with `errno` set.
  @inlinable
  public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { systemRead(fd, buffer, count) }

  /// `write(2)`: the bytes written, -1 with `errno` set.
  @inlinable
  public static func write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { systemWrite(fd, buffer, count) }

  /// `pread(2)`: the bytes read at `offset`, 0 at end of file, -1 with `errno` set.
  @inlinable
  public static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ offset: Int64) -> Int {
    systemPread(fd, buffer, count, off_t(offset))
  }

  /// Writes all of `bytes` to `fd`, again after a short write or `EINTR`; false on any other
  /// failure (`errno` says which).
  public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, base + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return false
      }
      offset += n
    }
    return true
  }

  /// The size of the regular file open as `fd`; nil when it is not one (a directory, a
  /// device) or cannot be looked at.
  public static func regularFileSize(_ fd: Int32) -> Int? {
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int(st.st_size)
  }

  /// The current directory, or nil when it cannot be read (removed, or too long).
  public static func currentDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// glibc's version string (`confstr(_CS_GNU_LIBC_VERSION)`, "glibc 2.36"); nil on another
  /// C library.
  public static func glibcVersionText() -> String? {
    #if canImport(Glibc)
      var buffer = [CChar](repeating: 0, count: 64)
      guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return nil }
      return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    #else
      return nil
    #endif
  }
}

// At file scope the C library's names are not shadowed by LibC's own.
@usableFromInline func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
@usableFromInline func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int { write(fd, buffer, count) }
@usableFromInline func systemPread(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int, _ offset: off_t) -> Int { pread(fd, buffer, count, offset) }
