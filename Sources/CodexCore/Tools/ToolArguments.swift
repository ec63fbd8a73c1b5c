/// Checks a model's tool-call arguments against the tool's JSON Schema before anything runs, and
/// says precisely what is wrong when they do not fit, so a small model can correct itself on the
/// next try. The subset of JSON Schema tool specs use: `type` (also a list), `properties`,
/// `required`, `additionalProperties: false`, `items`, `enum`, `minItems`, `minimum`/`maximum`.
/// Keywords outside it are not enforced (MCP servers may send any schema; their server checks).
public enum ToolArguments {
  /// Why a call's arguments cannot be used.
  public enum Problem: Error, Sendable, Equatable {
    /// The arguments text is not JSON (or not an object). `preview` is its start.
    case notJSON(preview: String, detail: String)
    /// Valid JSON that breaks the schema; one line per violation.
    case schema([String])
  }

  /// The arguments as a JSON object, or why not. Empty text means `{}` (servers send it for
  /// tools without parameters).
  public static func parse(_ text: String) -> Result<JSON, Problem> {
    let trimmed = text.trimmingWhitespace()
    if trimmed.isEmpty { return .success(.object(JSONObject())) }
    do {
      let json = try JSON.parse(trimmed)
      guard json.objectValue != nil else {
        return .failure(
          .notJSON(
            preview: Wires.preview(trimmed),
            detail: "the arguments must be a JSON object, got \(json.kindName)"))
      }
      return .success(json)
    } catch {
      return .failure(.notJSON(preview: Wires.preview(trimmed), detail: "\(error)"))
    }
  }

  /// Every way `value` breaks `schema`, as `'command' must be an array` lines; empty when it fits.
  public static func violations(of value: JSON, against schema: JSON) -> [String] {
    var out: [String] = []
    check(value, schema, path: "", into: &out)
    return out
  }

  static func check(_ value: JSON, _ schema: JSON, path: String, into out: inout [String]) {
    guard out.count < 20, schema.objectValue != nil else { return }
    let name = path.isEmpty ? "the arguments" : "'\(path)'"
    if let types = typeNames(schema["type"]), !types.contains(where: { matches(value, $0) }) {
      let expected = types.map(article).joined(separator: " or ")
      out.append("\(name) must be \(expected) (got \(value.kindName))")
      return
    }
    if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
      let list = allowed.map { $0.serialized() }.joined(separator: ", ")
      out.append("\(name) must be one of \(list) (got \(value.serialized().prefix(60)))")
    }
    switch value {
    case .object(let object):
      let properties = schema["properties"]?.objectValue ?? JSONObject()
      for required in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
      where object[required] == nil || object[required] == .null {
        out.append("missing required field '\(join(path, required))'")
      }
      for entry in object.entries {
        if let sub = properties[entry.key] {
          check(entry.value, sub, path: join(path, entry.key), into: &out)
        } else if schema["additionalProperties"] == .bool(false) {
          let known = properties.keys.map { "'\($0)'" }.joined(separator: ", ")
          out.append(
            "unknown field '\(join(path, entry.key))'"
              + (known.isEmpty ? "" : " (expected \(known))"))
        }
      }
    case .array(let items):
      if let min = schema["minItems"]?.intValue, items.count < min {
        out.append("\(name) must have at least \(min) item\(min == 1 ? "" : "s")")
      }
      if let itemSchema = schema["items"] {
        for (index, item) in items.enumerated() {
          check(item, itemSchema, path: "\(path)[\(index)]", into: &out)
        }
      }
    case .int, .double:
      let number = value.doubleValue ?? 0
      if let min = schema["minimum"]?.doubleValue, number < min {
        out.append("\(name) must be at least \(schema["minimum"]?.serialized() ?? "")")
      }
      if let max = schema["maximum"]?.doubleValue, number > max {
        out.append("\(name) must be at most \(schema["maximum"]?.serialized() ?? "")")
      }
    default:
      break
    }
  }

  static func typeNames(_ type: JSON?) -> [String]? {
    switch type {
    case .string(let s)?: return [s]
    case .array(let a)?: return a.compactMap(\.stringValue)
    default: return nil
    }
  }

  static func matches(_ value: JSON, _ type: String) -> Bool {
    switch (type, value) {
    case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool),
      ("null", .null), ("number", .int), ("number", .double), ("integer", .int):
      return true
    case ("integer", .double(let d)):
      return d.rounded() == d && abs(d) < 9e15
    default:
      return false
    }
  }

  static func article(_ type: String) -> String {
    switch type {
    case "object", "array", "integer": return "an \(type)"
    case "null": return "null"
    default: return "a \(type)"
    }
  }

  static func join(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : path + "." + key
  }
}
