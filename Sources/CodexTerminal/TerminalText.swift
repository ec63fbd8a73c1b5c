/// Text that came from outside — a model, a command, a server — made safe to put on the user's
/// terminal. Such text must never drive the terminal: a carriage return or a cursor movement can
/// make `touch X` look like `ls -la` at the approval prompt, a bidi override can reorder what
/// is read, an OSC sequence can set the window title or the clipboard. Every place that shows
/// such text goes through here.
public enum TerminalText {
  /// The text with every character that would act on the terminal instead of being shown written
  /// out as an escape: C0 controls and DEL (`\e`, `\r`, `\t`, `\x07`), C1 controls and the
  /// invisible characters that reorder or break lines (`\u{202e}`). With `keepingNewlines`, a
  /// `\n` stays a line break (multi-line scripts, explanations).
  public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
    guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if scalar == "\n" && keepingNewlines {
        out.append(scalar)
      } else if isUnsafe(scalar) {
        out.append(contentsOf: escape(scalar).unicodeScalars)
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  /// Streamed prose (the model's answer and reasoning): line breaks and tabs stay, a carriage
  /// return is dropped (`\r\n` line ends print as `\n`; a bare one would let the text overwrite
  /// itself), everything else unsafe is escaped.
  public static func prose(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { isUnsafe($0) && $0 != "\n" && $0 != "\t" })
    else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\n", "\t": out.append(scalar)
      case "\r": continue
      default:
        if isUnsafe(scalar) {
          out.append(contentsOf: escape(scalar).unicodeScalars)
        } else {
          out.append(scalar)
        }
      }
    }
    return String(out)
  }

  /// One line of a command's output as a terminal would have left it, without letting it act on
  /// ours: escape sequences (colours, titles, cursor moves) are removed, a carriage return keeps
  /// only what follows it (a progress bar shows its last state), tabs become two spaces, and
  /// other unsafe characters are escaped. Lines longer than `maxLength` characters are cut.
  public static func outputLine(_ line: Substring, maxLength: Int = 200) -> String {
    var visible = line.unicodeScalars[...]
    if let lastReturn = visible.lastIndex(of: "\r"),
      visible.index(after: lastReturn) < visible.endIndex
    {
      visible = visible[visible.index(after: lastReturn)...]
    }
    var out = String.UnicodeScalarView()
    var index = visible.startIndex
    var count = 0
    while index < visible.endIndex {
      let scalar = visible[index]
      index = visible.index(after: index)
      if scalar == "\u{1B}" {
        index = endOfEscapeSequence(visible, after: index)
        continue
      }
      if scalar == "\t" {
        out.append(contentsOf: "  ".unicodeScalars)
        count += 2
      } else if scalar == "\r" {
        continue
      } else if isUnsafe(scalar) {
        out.append(contentsOf: escape(scalar).unicodeScalars)
        count += 1
      } else {
        out.append(scalar)
        count += 1
      }
      if count >= maxLength && index < visible.endIndex {
        out.append("…")
        break
      }
    }
    return String(out)
  }

  /// Whether a terminal would act on `scalar` rather than show it.
  public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: return true
    // Bidi controls (the Unicode Bidi_Control set): embeddings and overrides U+202A–202E,
    // isolates U+2066–2069, and the marks that reorder neutral characters.
    case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
    // Line and paragraph separators: some terminals break the line there.
    case 0x2028, 0x2029: return true
    default: return false
    }
  }

  static func escape(_ scalar: Unicode.Scalar) -> String {
    switch scalar {
    case "\u{1B}": return "\\e"
    case "\r": return "\\r"
    case "\n": return "\\n"
    case "\t": return "\\t"
    case "\0": return "\\0"
    default:
      let hex = String(scalar.value, radix: 16)
      if scalar.value < 0x80 { return "\\x" + (hex.count < 2 ? "0" : "") + hex }
      return "\\u{" + hex + "}"
    }
  }

  /// After an ESC: the index just past the sequence it starts. CSI (`ESC [` parameters, final
  /// byte), the string commands OSC, DCS, SOS, PM and APC (ended by BEL or `ESC \`), and the
  /// short forms (`ESC` intermediates and one final character). A sequence cut off by the end
  /// of the line swallows the rest of it.
  static func endOfEscapeSequence(
    _ scalars: Substring.UnicodeScalarView, after escape: Substring.UnicodeScalarView.Index
  ) -> Substring.UnicodeScalarView.Index {
    guard escape < scalars.endIndex else { return escape }
    var index = scalars.index(after: escape)
    switch scalars[escape] {
    case "[":
      while index < scalars.endIndex {
        let value = scalars[index].value
        // Anything outside the sequence's printable range ends it without being part of it.
        guard (0x20...0x7E).contains(value) else { break }
        index = scalars.index(after: index)
        if (0x40...0x7E).contains(value) { break }
      }
    case "]", "P", "X", "^", "_":
      while index < scalars.endIndex {
        let scalar = scalars[index]
        index = scalars.index(after: index)
        if scalar == "\u{07}" || scalar == "\u{9C}" { break }
        if scalar == "\u{1B}" {
          if index < scalars.endIndex && scalars[index] == "\\" {
            index = scalars.index(after: index)
          }
          break
        }
      }
    default:
      // `ESC ( B` and friends: intermediates 0x20–0x2F, then the final character.
      index = escape
      while index < scalars.endIndex, (0x20...0x2F).contains(scalars[index].value) {
        index = scalars.index(after: index)
      }
      if index < scalars.endIndex, (0x30...0x7E).contains(scalars[index].value) {
        index = scalars.index(after: index)
      }
    }
    return index
  }
}
