/// A key (or pasted text) as the line editor understands it.
public enum Key: Sendable, Equatable {
  /// One typed character (a whole UTF-8 sequence).
  case character(Unicode.Scalar)
  case enter
  /// Alt-Enter (`ESC CR`): a new line without submitting.
  case altEnter
  /// Text between `ESC[200~` and `ESC[201~`, line endings normalised to `\n`.
  case paste(String)
  case backspace
  case delete
  case left, right, up, down, home, end
  case wordLeft, wordRight
  case deleteWordBackward, deleteWordForward
  case tab
  /// Ctrl plus a letter not bound above: `control(0x01)` is Ctrl-A.
  case control(UInt8)
}

/// Turns terminal input bytes into keys, one byte at a time, keeping partial UTF-8 and escape
/// sequences across calls (a read may end anywhere). Pure: no terminal needed to test it.
public struct KeyDecoder: Sendable {
  enum State: Sendable, Equatable {
    case ground
    /// Got ESC.
    case escape
    /// `ESC [` and the parameter / intermediate bytes so far.
    case csi([UInt8])
    /// `ESC O`.
    case ss3
    /// Inside a bracketed paste: everything up to `ESC[201~`.
    case paste
  }

  var state = State.ground
  var utf8: [UInt8] = []
  var utf8Expected = 0
  var pasted: [UInt8] = []

  public init() {}

  static let maxSequence = 32
  static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

  public mutating func feed(_ byte: UInt8) -> Key? {
    switch state {
    case .paste:
      pasted.append(byte)
      guard pasted.count >= Self.pasteEnd.count,
        pasted.suffix(Self.pasteEnd.count).elementsEqual(Self.pasteEnd)
      else { return nil }
      pasted.removeLast(Self.pasteEnd.count)
      let text = Self.normalisePaste(pasted)
      pasted = []
      state = .ground
      return .paste(text)
    case .escape:
      state = .ground
      switch byte {
      case UInt8(ascii: "["):
        state = .csi([])
        return nil
      case UInt8(ascii: "O"):
        state = .ss3
        return nil
      case 0x0D, 0x0A: return .altEnter
      case 0x7F, 0x08: return .deleteWordBackward
      case UInt8(ascii: "b"): return .wordLeft
      case UInt8(ascii: "f"): return .wordRight
      case UInt8(ascii: "d"): return .deleteWordForward
      case 0x1B:
        state = .escape
        return nil
      default:
        // An Alt chord we do not bind: the key itself, as if Alt were not held.
        return ground(byte)
      }
    case .ss3:
      state = .ground
      switch byte {
      case UInt8(ascii: "A"): return .up
      case UInt8(ascii: "B"): return .down
      case UInt8(ascii: "C"): return .right
      case UInt8(ascii: "D"): return .left
      case UInt8(ascii: "H"): return .home
      case UInt8(ascii: "F"): return .end
      default: return nil
      }
    case .csi(var body):
      if (0x20...0x3F).contains(byte) {
        // Parameters and intermediates. A runaway sequence stops growing and is dropped whole
        // at its final byte.
        if body.count <= Self.maxSequence { body.append(byte) }
        state = .csi(body)
        return nil
      }
      state = .ground
      guard body.count <= Self.maxSequence else { return nil }
      return csi(String(decoding: body, as: UTF8.self), final: byte)
    case .ground:
      return ground(byte)
    }
  }

  mutating func ground(_ byte: UInt8) -> Key? {
    if utf8Expected > 0 {
      guard byte & 0xC0 == 0x80 else {
        // A broken sequence: drop it and read this byte afresh.
        utf8 = []
        utf8Expected = 0
        return ground(byte)
      }
      utf8.append(byte)
      guard utf8.count == utf8Expected else { return nil }
      defer {
        utf8 = []
        utf8Expected = 0
      }
      let text = String(decoding: utf8, as: UTF8.self)
      guard let scalar = text.unicodeScalars.first, scalar != "\u{FFFD}" else { return nil }
      return .character(scalar)
    }
    switch byte {
    case 0x1B:
      state = .escape
      return nil
    case 0x0D, 0x0A: return .enter
    case 0x7F, 0x08: return .backspace
    case 0x09: return .tab
    case 0x01...0x1A: return .control(byte)
    case 0x00, 0x1C...0x1F: return nil
    case 0x20...0x7E: return .character(Unicode.Scalar(byte))
    case 0xC2...0xDF: utf8Expected = 2
    case 0xE0...0xEF: utf8Expected = 3
    case 0xF0...0xF4: utf8Expected = 4
    default: return nil  // a stray continuation byte or an invalid lead byte
    }
    utf8 = [byte]
    return nil
  }

  mutating func csi(_ parameters: String, final: UInt8) -> Key? {
    let modified = parameters.contains(";")
    // `1;5C` (Ctrl) and `1;3C` (Alt) move by words.
    switch final {
    case UInt8(ascii: "A"): return .up
    case UInt8(ascii: "B"): return .down
    case UInt8(ascii: "C"): return modified ? .wordRight : .right
    case UInt8(ascii: "D"): return modified ? .wordLeft : .left
    case UInt8(ascii: "H"): return .home
    case UInt8(ascii: "F"): return .end
    case UInt8(ascii: "~"):
      switch parameters.split(separator: ";").first ?? "" {
      case "1", "7": return .home
      case "4", "8": return .end
      case "3": return modified ? .deleteWordForward : .delete
      case "200":
        state = .paste
        pasted = []
        return nil
      default: return nil
      }
    default: return nil
    }
  }

  /// Pasted text as it should land in the buffer: CRLF and CR become LF; other control bytes
  /// (stray escapes) are dropped; tabs are kept.
  static func normalisePaste(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var previousCR = false
    for b in bytes {
      switch b {
      case 0x0D:
        out.append(0x0A)
        previousCR = true
        continue
      case 0x0A where previousCR:
        break
      case 0x0A, 0x09: out.append(b)
      case 0x00...0x1F, 0x7F: break
      default: out.append(b)
      }
      previousCR = false
    }
    return String(decoding: out, as: UTF8.self)
  }
}
