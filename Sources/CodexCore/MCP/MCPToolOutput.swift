/// What the model is told about an MCP tool result: the text items as they are, everything else
/// described in one line (no wire we speak carries images in tool results, so an image is a
/// placeholder naming its type and size), truncated like shell output.
public enum MCPToolOutput {
  public static func modelText(
    _ result: MCPClient.CallResult, formatter: ToolOutputFormatter = ToolOutputFormatter()
  ) -> String {
    var parts = result.content.map(describe)
    if parts.isEmpty, let structured = result.structuredContent {
      parts = [structured.serialized()]
    }
    var text = parts.joined(separator: "\n")
    if text.isEmpty { text = result.isError ? "(no details)" : "(no output)" }
    if result.isError { text = "The tool reported an error:\n" + text }
    return formatter.truncate(text)
  }

  /// One content item as text.
  public static func describe(_ item: JSON) -> String {
    let type = item["type"]?.stringValue ?? ""
    switch type {
    case "text":
      return item["text"]?.stringValue ?? ""
    case "image", "audio":
      let mime = item["mimeType"]?.stringValue ?? "unknown type"
      return "[\(type): \(mime), \(size(base64: item["data"]?.stringValue ?? "")); "
        + "not shown: this connection to the model carries text only]"
    case "resource_link":
      var s = "[resource link: \(item["name"]?.stringValue ?? "")"
      s += " <\(item["uri"]?.stringValue ?? "")>"
      if let mime = item["mimeType"]?.stringValue { s += " (\(mime))" }
      if let d = item["description"]?.stringValue, !d.isEmpty { s += " \(d)" }
      return s + "]"
    case "resource":
      let r = item["resource"]
      let uri = r?["uri"]?.stringValue ?? ""
      if let text = r?["text"]?.stringValue { return "[resource <\(uri)>]\n" + text }
      let mime = r?["mimeType"]?.stringValue ?? "binary data"
      return "[resource <\(uri)>: \(mime), \(size(base64: r?["blob"]?.stringValue ?? ""))]"
    default:
      return item.serialized()
    }
  }

  /// The decoded size of base64 text, for people (`12.3 KB`).
  static func size(base64: String) -> String {
    let count = base64.utf8.count
    let padding = base64.utf8.reversed().prefix(2).filter { $0 == UInt8(ascii: "=") }.count
    let bytes = max(0, count / 4 * 3 - padding)
    if bytes < 1024 { return "\(bytes) bytes" }
    let kb = Double(bytes) / 1024
    if kb < 1024 { return "\((kb * 10).rounded() / 10) KB" }
    return "\((kb / 1024 * 10).rounded() / 10) MB"
  }
}
