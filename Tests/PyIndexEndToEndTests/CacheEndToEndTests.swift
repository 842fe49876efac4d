import Foundation
import PyIndexFixtures
import Testing

/// The HTTP cache of project pages: fresh pages cost no request, stale ones are revalidated
/// (304), `no-store`, `--no-cache` and `--offline` do what they say, no credential is ever in
/// the cache, and concurrent runs share it safely.
@Suite("HTTP cache of project pages")
struct CacheEndToEndTests {
  static let listing = FaultEndToEndTests.listing

  static func pageRequests(_ index: FixtureIndex) -> [RecordedRequest] { index.requests.filter { $0.path == "/simple/demo-pkg/" } }

  /// Every file under `dir`, recursively.
  static func entries(_ dir: String) -> [String] {
    var out: [String] = []
    let walker = FileManager.default.enumerator(atPath: dir)
    while let name = walker?.nextObject() as? String {
      var isDir: ObjCBool = false
      if FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue { out.append(name) }
    }
    return out
  }

  @Test("within max-age a second run sends no request; the page comes from the cache", arguments: [true, false])
  func fresh(json: Bool) async throws {
    let cache = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    var profile = FixtureProfile.demo(json: json)
    profile.pageCacheControl = "max-age=600"
    try await Harness.withIndex(profile) { index in
      let first = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["XDG_CACHE_HOME": cache])
      #expect(first.stdout == Self.listing, "\(first.stderr)")
      let second = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["XDG_CACHE_HOME": cache])
      #expect(second.stdout == Self.listing, "\(second.stderr)")
      #expect(second.stderr.contains("from the cache (fresh for"), "\(second.stderr)")
      #expect(Self.pageRequests(index).count == 1)
      // Downloads resolve links against the page's URL, from the cache too.
      let dir = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let dl = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dir, "-i", index.simpleURL] + FaultEndToEndTests.target, environment: ["XDG_CACHE_HOME": cache])
      #expect(dl.status == 0, "\(dl.stderr)")
      #expect(Harness.files(in: dir) == [FixtureFile.wheel("demo-pkg", "1.3.0").filename])
      #expect(Self.pageRequests(index).count == 1)
    }
  }

  @Test("a stale page is revalidated with If-None-Match; 304 uses the stored page")
  func revalidated() async throws {
    let cache = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    try await Harness.withIndex(.demo()) { index in
      _ = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["XDG_CACHE_HOME": cache])
      let second = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["XDG_CACHE_HOME": cache])
      #expect(second.stdout == Self.listing, "\(second.stderr)")
      #expect(second.stderr.contains("→ 304"), "\(second.stderr)")
      #expect(second.stderr.contains("not modified (304), the stored page is used"), "\(second.stderr)")
      let requests = Self.pageRequests(index)
      #expect(requests.count == 2)
      #expect(requests.first?.header("If-None-Match") == nil)
      #expect(requests.last?.header("If-None-Match")?.hasPrefix("\"") == true)
    }
  }

  @Test("no-store and --no-cache: nothing stored, nothing read")
  func notStored() async throws {
    let cache = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    var profile = FixtureProfile.demo()
    profile.pageCacheControl = "no-store"
    try await Harness.withIndex(profile) { index in
      _ = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["XDG_CACHE_HOME": cache])
      #expect(Self.entries(cache).isEmpty)
    }
    profile.pageCacheControl = "max-age=600"
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--no-cache"], environment: ["XDG_CACHE_HOME": cache])
      #expect(r.stdout == Self.listing)
      #expect(Self.entries(cache).isEmpty)
      _ = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["XDG_CACHE_HOME": cache])
      _ = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--no-cache-dir"], environment: ["XDG_CACHE_HOME": cache])
      #expect(Self.pageRequests(index).count == 3)
      #expect(Self.pageRequests(index).allSatisfy { $0.header("If-None-Match") == nil })
    }
  }

  @Test("--offline: stored pages however old, without the network; a page not stored fails (exit 3)")
  func offline() async throws {
    let cache = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    var url = ""
    try await Harness.withIndex(.demo()) { index in
      url = index.simpleURL
      _ = try await Harness.run(["index", "versions", "demo-pkg", "-i", url], environment: ["XDG_CACHE_HOME": cache])
    }
    // The server is gone now.
    let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "--offline"], environment: ["XDG_CACHE_HOME": cache])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout == Self.listing)
    let missing = try await Harness.run(["index", "versions", "other-pkg", "-i", url, "--offline"], environment: ["XDG_CACHE_HOME": cache])
    #expect(missing.status == 3)
    #expect(missing.stderr.contains("not in the cache, and --offline forbids the network"), "\(missing.stderr)")
    let both = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "--offline", "--no-cache"])
    #expect(both.status == 64)
  }

  @Test("credentials are never part of a key nor stored; the same page is shared whatever the credentials")
  func noCredentials() async throws {
    let cache = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    let user = "cache-user", password = "cache-Secret-77/+"
    var profile = FixtureProfile.demo(auth: FixtureAuth(username: user, password: password))
    profile.pageCacheControl = "private, max-age=600"
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Harness.url(index, user: user, password: password)], environment: ["XDG_CACHE_HOME": cache], secrets: Harness.secretForms(user: user, password: password))
      #expect(r.stdout == Self.listing, "\(r.stderr)")
      let files = Self.entries(cache)
      #expect(files.count == 1)
      for name in files {
        #expect(!name.contains(user) && !name.contains("cache-Secret"))
        let text = try String(contentsOfFile: cache + "/" + name, encoding: .utf8)
        for secret in Harness.secretForms(user: user, password: password) + [user + ":"] { #expect(!text.contains(secret), "\(name)") }
      }
      // Same page, credentials from the environment instead: the same entry answers.
      let again = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["XDG_CACHE_HOME": cache, "PYINDEX_USERNAME": user, "PYINDEX_PASSWORD": password])
      #expect(again.stdout == Self.listing)
      #expect(Self.pageRequests(index).count == 1)
    }
  }

  @Test("concurrent runs share the cache: all succeed, no temporary file is left")
  func concurrent() async throws {
    let cache = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cache) }
    try await Harness.withIndex(.demo()) { index in
      let outputs = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<6 {
          group.addTask { try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["XDG_CACHE_HOME": cache]).stdout }
        }
        return try await group.reduce(into: []) { $0.append($1) }
      }
      #expect(outputs.allSatisfy { $0 == Self.listing })
      let files = Self.entries(cache)
      #expect(files.count == 1, "\(files)")
      #expect(!files.contains { $0.hasSuffix(".tmp") })
    }
  }
}
