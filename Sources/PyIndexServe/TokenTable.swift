/// The tokens `serve` handed out and what each stands for, at most ``capacity`` of them: when
/// a new token would pass it, the oldest one is forgotten (an installer asks for a file soon
/// after its page; a forgotten token answers 404, and a new page request makes it again). A
/// long-running `serve` in front of huge pages keeps bounded memory.
struct TokenTable<Value: Sendable>: Sendable {
  /// The most tokens held: about 128 MiB of upstream URLs and digests at the most.
  let capacity: Int
  private var values: [String: Value] = [:]
  /// Tokens in the order they were first handed out, as a ring over `order[head...]`.
  private var order: [String] = []
  private var head = 0

  init(capacity: Int = 1 << 18) { self.capacity = max(capacity, 1) }

  var count: Int { values.count }

  subscript(token: String) -> Value? { values[token] }

  /// Remembers `value` for `token` (a token already held keeps its place).
  mutating func insert(_ token: String, _ value: Value) {
    if values.updateValue(value, forKey: token) != nil { return }
    order.append(token)
    while values.count > capacity, head < order.count {
      values[order[head]] = nil
      head += 1
    }
    // Drop the forgotten part of the ring once it is as large as the live part.
    if head > capacity {
      order.removeFirst(head)
      head = 0
    }
  }
}
