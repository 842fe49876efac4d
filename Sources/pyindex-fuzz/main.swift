// pyindex-fuzz: libFuzzer driver for the targets in PyIndexFuzzing.
//
//   scripts/fuzz TARGET SECONDS        (builds with -sanitize=fuzzer -D FUZZING, then runs)
//   pyindex-fuzz TARGET FILE...        (a plain build: replays inputs, e.g. a crash found)
import PyIndexFuzzing

#if canImport(Glibc)
  import Glibc
#endif

/// Writes `text` to standard error.
func complain(_ text: String) {
  var bytes = Array(text.utf8)
  _ = write(2, &bytes, bytes.count)
}

#if FUZZING
  /// libFuzzer's entry point for programs that keep their own `main` (LLVM 11+).
  @_silgen_name("LLVMFuzzerRunDriver")
  func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  let selected: FuzzTarget = {
    guard let name = getenv("PYINDEX_FUZZ_TARGET").map({ String(cString: $0) }), let t = FuzzTarget(rawValue: name) else {
      complain("set PYINDEX_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n")
      exit(64)
    }
    return t
  }()
  _ = selected
  var argc = CommandLine.argc
  var argv = CommandLine.unsafeArgv
  exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
  })
#else
  let args = CommandLine.arguments.dropFirst()
  guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
    complain("usage: pyindex-fuzz TARGET FILE...\ntargets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n")
    exit(64)
  }
  for path in args.dropFirst() {
    guard let f = fopen(path, "rb") else {
      complain("\(path): cannot open\n")
      exit(1)
    }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&buf, 1, buf.count, f)
      if n == 0 { break }
      bytes += buf[0..<n]
    }
    fclose(f)
    bytes.withUnsafeBytes { target.run($0) }
    print("\(path): ok")
  }
#endif
