import ArgumentParser
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexTransport

extension PyIndexCommand {
  /// `pyindex config [--json]`: the indexes and settings a command would run with, and where
  /// each came from.
  struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the indexes and settings pyindex would use, and where each came from.",
      discussion: """
        Reads what every command reads: the options given here, PYINDEX_* and PIP_* variables, \
        pip's configuration files (global, user, site, PIP_CONFIG_FILE) and, when none of those \
        names an index, uv's (UV_INDEX, UV_DEFAULT_INDEX, uv.toml). Each value is shown with its \
        source: an option, a variable, FILE:LINE, or default. URLs are redacted. With -v, keys \
        that were set but are not read are listed too.
        """)

    /// pip's command sections pyindex reads besides `[global]`.
    enum Section: String, CaseIterable, ExpressibleByArgument {
      case download, index
    }

    @Option(help: ArgumentHelp("Also read this command's section of pip's files: download or index (as those commands do).", valueName: "command"))
    var section: Section?

    @Flag(help: "Print one JSON object: indexes, settings, files, ignored.")
    var json = false

    @OptionGroup(title: "Target") var target: TargetOptions
    @OptionGroup var options: IndexCommandOptions

    func run() async throws {
      let session = Session(output: options.output)
      let configured = try session.configure(command: section?.rawValue, index: options.index, network: options.network, target: target, report: false)
      let (store, _) = session.credentialStore(configured, silent: true)
      var credentials: [String] = []
      var minted: [String?] = []
      for i in configured.index.indexes {
        // The keyring is never asked here, nor a token minted: `auth check` does that. A
        // provider that would mint is named with the identity it would use.
        let source = i.isFile ? CredentialSource.none : await store.lookup(i.url).source
        let plan = (source == .none || source == .minted) && !i.isFile ? configured.minter?.plan(for: i.url) : nil
        credentials.append(plan != nil ? CredentialSource.minted.rawValue : source.rawValue)
        minted.append(plan)
      }
      let rows = Self.settings(configured)
      if json {
        session.console.out(Self.json(configured, rows: rows, credentials: credentials, minted: minted))
      } else {
        session.console.out(Self.text(configured, rows: rows, credentials: credentials, minted: minted, verbose: options.output.verbose > 0))
      }
    }

    /// One setting: pip's key, its value as shown (redacted), and its source.
    struct Row {
      let key: String
      let values: [String]
      let source: SettingSource?
      /// A yes/no or a number: bare in JSON.
      var bare = false
    }

    static func settings(_ c: RunSettings) -> [Row] {
      let cfg = c.configuration
      func list(_ key: String, _ items: [Sourced<String>], redact: Bool = false) -> Row {
        Row(key: key, values: items.map { redact ? Redaction.redact($0.value) : $0.value }, source: items.first?.source)
      }
      func one(_ key: String, _ item: Sourced<String>?, redact: Bool = false) -> Row {
        Row(key: key, values: item.map { [redact ? Redaction.redact($0.value) : $0.value] } ?? [], source: item?.source)
      }
      return [
        Row(key: "index-strategy", values: [c.index.strategy.rawValue], source: nil),
        list("find-links", cfg.findLinks, redact: true),
        Row(key: "no-index", values: [String(cfg.noIndex.value)], source: cfg.noIndex.source, bare: true),
        list("trusted-host", cfg.trustedHosts),
        one("cert", cfg.cert),
        Row(key: "ca-bundles", values: c.network.trust.sources.map { "\($0.path) (\($0.name))" }, source: nil),
        one("client-cert", cfg.clientCert),
        one("proxy", cfg.proxy, redact: true),
        Row(key: "timeout", values: [cfg.timeout.value.formatted], source: cfg.timeout.source, bare: true),
        Row(key: "retries", values: [String(cfg.retries.value)], source: cfg.retries.source, bare: true),
        Row(key: "keyring-provider", values: [cfg.keyringProvider.value], source: cfg.keyringProvider.source),
        Row(key: "credential-provider", values: [cfg.credentialProvider.value], source: cfg.credentialProvider.source),
        Row(key: "pre", values: [String(cfg.pre.value)], source: cfg.pre.source, bare: true),
        list("only-binary", cfg.onlyBinary),
        list("no-binary", cfg.noBinary),
      ]
    }

    static func text(_ c: RunSettings, rows: [Row], credentials: [String], minted: [String?], verbose: Bool) -> String {
      let cfg = c.configuration
      let origin = ["pip": "pip's settings", "uv": "uv's settings", "default": "none configured, so PyPI"][cfg.indexOrigin.rawValue] ?? ""
      var lines = ["indexes, searched in this order (\(origin)):"]
      for (k, i) in c.index.indexes.enumerated() {
        let entry = cfg.indexes[k]
        let name = entry.name.map { " [\($0)]" } ?? ""
        lines.append("  \(k + 1). \(i.redacted)\(name)")
        lines.append("     from \(entry.source); credentials: \(credentials[k])" + (minted[k].map { " (\($0))" } ?? ""))
      }
      lines.append("settings:")
      let width = (rows.map(\.key.count).max() ?? 0) + 2
      for row in rows {
        let value = row.values.isEmpty ? "(none)" : row.values.joined(separator: "\n" + String(repeating: " ", count: width + 2))
        lines.append("  " + row.key.padding(to: width) + value + (row.source.map { "  (\($0))" } ?? ""))
      }
      lines.append("files read:" + (cfg.files.isEmpty ? " none" : ""))
      for f in cfg.files { lines.append("  \(f)") }
      if verbose {
        lines.append("ignored:" + (cfg.ignored.isEmpty ? " none" : ""))
        for i in cfg.ignored { lines.append("  \(i.key) (\(i.source)): \(i.reason)") }
      }
      return lines.joined(separator: "\n")
    }

    static func json(_ c: RunSettings, rows: [Row], credentials: [String], minted: [String?]) -> String {
      let cfg = c.configuration
      func source(_ s: SettingSource?) -> String {
        guard let s else { return "null" }
        return "{\"kind\": \(JSON.quote(s.kind)), \"name\": \(JSON.quote(s.description))}"
      }
      let indexes = c.index.indexes.enumerated().map { k, i in
        "{\"url\": \(JSON.quote(i.redacted)), \"name\": \(cfg.indexes[k].name.map(JSON.quote) ?? "null"), \"source\": \(source(cfg.indexes[k].source)), \"credential_source\": \(JSON.quote(credentials[k])), \"credential_provider\": \(minted[k].map(JSON.quote) ?? "null")}"
      }
      let settings = rows.map { row in
        let listed = ["find-links", "trusted-host", "ca-bundles", "only-binary", "no-binary"].contains(row.key)
        let value: String =
          listed ? "[" + row.values.map(JSON.quote).joined(separator: ", ") + "]"
          : row.values.first.map { row.bare ? $0 : JSON.quote($0) } ?? "null"
        return "\(JSON.quote(row.key)): {\"value\": \(value), \"source\": \(source(row.source))}"
      }
      let ignored = cfg.ignored.map { "{\"key\": \(JSON.quote($0.key)), \"source\": \(source($0.source)), \"reason\": \(JSON.quote($0.reason))}" }
      return "{\"indexes\": [\(indexes.joined(separator: ", "))], \"index_origin\": \(JSON.quote(cfg.indexOrigin.rawValue)), "
        + "\"settings\": {\(settings.joined(separator: ", "))}, \"files\": [\(cfg.files.map(JSON.quote).joined(separator: ", "))], "
        + "\"ignored\": [\(ignored.joined(separator: ", "))]}"
    }
  }
}

extension Double {
  /// `15` for whole numbers, else as Swift prints it.
  var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
