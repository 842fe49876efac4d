import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on 127.0.0.1 for tests of what a client does when a peer goes quiet: the first
/// `relayed` connections are passed through to `127.0.0.1:target`; every later one is
/// accepted and then never answered (its bytes are read and dropped) until the relay stops.
public final class FixtureRelay: Sendable {
  public let port: Int
  private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
  private let task = Mutex<Task<Void, Never>?>(nil)
  private let accepted = Mutex(0)

  /// Starts a relay to `target` for the first `relayed` connections.
  public static func start(target: Int, relayed: Int) async throws -> FixtureRelay {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: "127.0.0.1", port: 0) { child in
        child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
      }
    let relay = FixtureRelay(channel: channel, port: channel.channel.localAddress?.port ?? 0)
    let t = Task(executorPreference: FixtureExecutor(label: "pyindex.fixture-relay.\(relay.port)")) { await relay.serve(target: target, relayed: relayed) }
    relay.task.withLock { $0 = t }
    return relay
  }

  private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, port: Int) {
    self.channel = channel
    self.port = port
  }

  /// How many connections were accepted so far.
  public var connections: Int { accepted.withLock { $0 } }

  public func stop() async {
    try? await channel.channel.close()
    let t = task.withLock { $0 }
    t?.cancel()
    await t?.value
  }

  private func serve(target: Int, relayed: Int) async {
    try? await channel.executeThenClose { inbound in
      try await withThrowingDiscardingTaskGroup { group in
        for try await connection in inbound {
          let n = accepted.withLock { c -> Int in c += 1; return c }
          group.addTask {
            try? await connection.executeThenClose { inbound, outbound in
              var iterator = inbound.makeAsyncIterator()
              guard n <= relayed else {
                // Silent: read whatever comes, answer nothing, until the client or the relay ends it.
                while try await iterator.next() != nil {}
                return
              }
              let upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: target) { ch in
                ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
              }
              try await FixtureProxy.splice(&iterator, outbound, upstream, first: [])
            }
          }
        }
      }
    }
  }
}
