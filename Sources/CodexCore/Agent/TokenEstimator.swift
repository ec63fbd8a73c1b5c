/// Estimates how many tokens a text is for a BPE tokenizer, without having the tokenizer: used
/// to keep the conversation inside the context window when the server has not (yet) reported
/// usage. The text is cut into runs the way byte-level BPE pre-tokenizers cut it (letters,
/// digits, spaces, punctuation, other scripts), and each run is charged what such tokenizers
/// typically spend on it. Measured against llama.cpp's `/tokenize` (docs/agent.md has the
/// figures); the session also calibrates it against the usage the server reports.
public enum TokenEstimator {
  public static func estimate(_ text: String) -> Int {
    var tokens = 0.0
    var index = text.utf8.startIndex
    let bytes = text.utf8
    while index < bytes.endIndex {
      let byte = bytes[index]
      var end = bytes.index(after: index)
      switch CharacterClass(byte) {
      case .letter:
        while end < bytes.endIndex, CharacterClass(bytes[end]) == .letter {
          end = bytes.index(after: end)
        }
        tokens += letterRunCost(bytes.distance(from: index, to: end))
      case .digit:
        while end < bytes.endIndex, CharacterClass(bytes[end]) == .digit {
          end = bytes.index(after: end)
        }
        tokens += digitRunCost(bytes.distance(from: index, to: end))
      case .space:
        var newlines = byte == 0x0A ? 1 : 0
        while end < bytes.endIndex, CharacterClass(bytes[end]) == .space {
          if bytes[end] == 0x0A { newlines += 1 }
          end = bytes.index(after: end)
        }
        tokens += spaceRunCost(length: bytes.distance(from: index, to: end), newlines: newlines)
      case .punctuation:
        while end < bytes.endIndex, CharacterClass(bytes[end]) == .punctuation {
          end = bytes.index(after: end)
        }
        tokens += punctuationRunCost(bytes.distance(from: index, to: end))
      case .other:
        while end < bytes.endIndex, CharacterClass(bytes[end]) == .other {
          end = bytes.index(after: end)
        }
        tokens += Double(bytes.distance(from: index, to: end)) * otherByteCost
      }
      index = end
    }
    return Int(tokens.rounded(.up))
  }

  // The costs, fitted on this repository's sources and on English prose (docs/agent.md).
  /// A word: short common words are one token; longer identifiers split into pieces.
  static func letterRunCost(_ length: Int) -> Double {
    length <= 6 ? 1 : 1 + Double(length - 6) / 4
  }
  static func digitRunCost(_ length: Int) -> Double { Double(length + 2) / 3 }
  /// A single space joins the next word's token; indentation and blank lines cost a little.
  static func spaceRunCost(length: Int, newlines: Int) -> Double {
    if newlines == 0 { return length == 1 ? 0 : Double(length) / 8 }
    return Double(newlines) * 0.5 + Double(length - newlines) / 8
  }
  static func punctuationRunCost(_ length: Int) -> Double { Double(length) * 0.8 }
  /// UTF-8 bytes of other scripts (accents, CJK, emoji).
  static let otherByteCost = 0.45

  enum CharacterClass: Equatable {
    case letter, digit, space, punctuation, other

    init(_ byte: UInt8) {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
        self = .letter
      case UInt8(ascii: "0")...UInt8(ascii: "9"): self = .digit
      case 0x20, 0x09, 0x0A, 0x0D: self = .space
      case 0x21...0x7E, 0...0x1F, 0x7F: self = .punctuation
      default: self = .other
      }
    }
  }

  /// Every token a request costs: instructions, the tool specs as the wires send them, and each
  /// message with a small per-message overhead (role markers in the chat template).
  public static func estimate(_ request: ChatRequest) -> Int {
    var total = estimate(request.instructions ?? "")
    for tool in request.tools { total += estimate(tool.chatCompletionsJSON.serialized()) }
    for message in request.messages { total += estimate(message) }
    return total
  }

  public static let perMessageOverhead = 4

  public static func estimate(_ message: ChatMessage) -> Int {
    switch message {
    case .user(let text):
      return perMessageOverhead + estimate(text)
    case .assistant(let a):
      var total = perMessageOverhead + estimate(a.text)
      for call in a.toolCalls { total += 6 + estimate(call.name) + estimate(call.arguments) }
      return total
    case .toolResult(let r):
      return perMessageOverhead + estimate(r.output)
    }
  }
}
