import ArgumentParser
import PyIndexCLI

/// The `pyindex` executable: everything lives in PyIndexCLI.
@main
struct Entrypoint {
  static func main() async {
    await PyIndexCommand.runMain()
  }
}
