/// A `/command` typed at the interactive prompt.
public enum SlashCommand: Sendable, Equatable {
  case help
  /// Show the current model and what the provider serves, or switch to one.
  case model(String?)
  /// List the providers, or switch to one (optionally with a model).
  case provider(id: String?, model: String?)
  /// Show the approval policy, or change it.
  case approvals(String?)
  case status
  /// The MCP servers, their state and tools.
  case mcp
  /// Summarise the conversation now to free context.
  case compact
  /// A fresh conversation.
  case new
  case quit
  /// `/something` we do not know, with the closest command when one is close.
  case unknown(String, suggestion: String?)

  /// The commands for `/help`: name, arguments, what it does.
  public static let catalogue: [(name: String, arguments: String, summary: String)] = [
    ("/help", "", "this list"),
    ("/model", "[name]", "show the model and what the provider serves, or switch"),
    ("/provider", "[id [model]]", "list the providers, or switch to one"),
    ("/approvals", "[policy]", "show or change when commands need approval"),
    ("/status", "", "provider, model, URL, policy, sandbox, tokens, context"),
    ("/mcp", "", "the MCP servers, their state and their tools"),
    ("/compact", "", "summarise the conversation to free context"),
    ("/new", "", "start a new conversation"),
    ("/quit", "", "exit (also /exit, Ctrl-D)"),
  ]

  /// Nil when the input is not a command: it does not start with `/`, or its first word is a
  /// path (`/etc/hosts what is this?` is a prompt).
  public static func parse(_ input: String) -> SlashCommand? {
    let words = input.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    guard let first = words.first, first.hasPrefix("/") else { return nil }
    let name = first.dropFirst()
    guard !name.isEmpty, !name.contains("/") else { return nil }
    let arguments = words.dropFirst().map(String.init)
    switch name.lowercased() {
    case "help", "?", "h": return .help
    case "model", "models", "m": return .model(arguments.first)
    case "provider", "providers":
      return .provider(id: arguments.first, model: arguments.dropFirst().first)
    case "approvals", "approval": return .approvals(arguments.first)
    case "status": return .status
    case "mcp": return .mcp
    case "compact": return .compact
    case "new", "clear", "reset": return .new
    case "quit", "exit", "q": return .quit
    default:
      let typed = "/" + name.lowercased()
      let close = catalogue.map(\.name).filter { $0.hasPrefix(typed) || typed.hasPrefix($0) }
      return .unknown("/" + name, suggestion: close.count == 1 ? close[0] : nil)
    }
  }
}
