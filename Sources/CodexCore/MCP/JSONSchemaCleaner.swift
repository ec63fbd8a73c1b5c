/// An MCP tool's `inputSchema` made acceptable as function parameters on a given wire. MCP
/// servers write full JSON Schema (2020-12); each wire rejects or mangles a different part:
///
/// - every wire: the root must be `{"type":"object","properties":{...}}` (OpenAI refuses other
///   roots and root-level `anyOf`/`oneOf`/`allOf`/`not`/`enum`); `$schema`, `$id` and
///   `$comment` are dropped; boolean schemas (`true`) become `{}` (Ollama reads each property
///   into a Go struct and fails the whole request on a `true`); a `type` that is neither a
///   string nor an array of strings is dropped; `required` keeps its strings only.
/// - Ollama, TGI and anything else that shows the schema to the model as text or rebuilds it
///   (TGI merges the tools' `properties` into one grammar, losing `$defs`): local `$ref`s are
///   inlined (cycles and refs that do not resolve become `{}`) and `$defs`/`definitions` go.
/// - OpenAI Chat Completions and Responses (and servers that copy them) take the rest as it is.
///
/// Pure and bounded: nesting deeper than `maxDepth` is cut to `{}`, and so is everything past
/// `maxNodes` schemas (references that fan out could otherwise inline exponentially).
public enum JSONSchemaCleaner {
  static let maxDepth = 64
  static let maxNodes = 10_000

  public static func clean(_ schema: JSON, for wire: WireAPI) -> JSON {
    let inlineRefs = !(wire == .responses || wire == .chat)
    var root = schema.objectValue ?? JSONObject()
    let definitions = inlineRefs ? Definitions(root) : nil
    for key in ["anyOf", "oneOf", "allOf", "not", "enum", "const"] { root[key] = nil }
    root["type"] = "object"
    if root["properties"]?.objectValue == nil { root["properties"] = .object(JSONObject()) }
    var walk = Walk()
    return clean(.object(root), depth: 0, definitions: definitions, expanding: &walk)
  }

  /// The references being inlined (to stop cycles) and how many schemas were made.
  struct Walk {
    var expanding: [String] = []
    var nodes = 0
  }

  /// `#/$defs/...` and `#/definitions/...` of the root, for inlining.
  struct Definitions {
    let root: JSON
    init(_ root: JSONObject) { self.root = .object(root) }

    func resolve(_ ref: String) -> JSON? {
      guard ref.hasPrefix("#/") else { return ref == "#" ? root : nil }
      var node = root
      for part in ref.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
        let key = part.replacing("~1", with: "/").replacing("~0", with: "~")
        guard let next = node[String(key)] else { return nil }
        node = next
      }
      return node
    }
  }

  static func clean(
    _ schema: JSON, depth: Int, definitions: Definitions?, expanding: inout Walk
  ) -> JSON {
    expanding.nodes += 1
    guard depth < maxDepth, expanding.nodes <= maxNodes, var o = schema.objectValue else {
      return .object(JSONObject())
    }
    if let definitions, let ref = o["$ref"]?.stringValue {
      o["$ref"] = nil
      guard !expanding.expanding.contains(ref), let target = definitions.resolve(ref) else {
        return .object(JSONObject())
      }
      expanding.expanding.append(ref)
      defer { expanding.expanding.removeLast() }
      var merged =
        clean(target, depth: depth + 1, definitions: definitions, expanding: &expanding)
        .objectValue ?? JSONObject()
      // Siblings of $ref (a description) refine what the reference says.
      for e in o.entries { merged[e.key] = e.value }
      return clean(.object(merged), depth: depth + 1, definitions: nil, expanding: &expanding)
    }
    var out = JSONObject()
    for (key, value) in o.entries {
      switch key {
      case "$schema", "$id", "$comment":
        continue
      case "$defs", "definitions":
        if definitions != nil { continue }
        out[key] = cleanMap(value, depth, definitions, &expanding)
      case "properties", "patternProperties", "dependentSchemas":
        out[key] = cleanMap(value, depth, definitions, &expanding)
      case "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then",
        "else", "unevaluatedProperties", "unevaluatedItems", "additionalItems":
        switch value {
        case .bool(let b) where key == "additionalProperties" || key == "unevaluatedProperties":
          out[key] = .bool(b)
        case .array(let list):  // draft-04 tuple `items`
          out[key] = .array(
            list.map {
              clean($0, depth: depth + 1, definitions: definitions, expanding: &expanding)
            }
          )
        default:
          out[key] = clean(value, depth: depth + 1, definitions: definitions, expanding: &expanding)
        }
      case "anyOf", "oneOf", "allOf", "prefixItems":
        guard let list = value.arrayValue else { continue }
        out[key] = .array(
          list.map { clean($0, depth: depth + 1, definitions: definitions, expanding: &expanding) })
      case "type":
        switch value {
        case .string: out[key] = value
        case .array(let types) where types.allSatisfy({ $0.stringValue != nil }):
          out[key] = value
        default: continue
        }
      case "required":
        out[key] = .array((value.arrayValue ?? []).filter { $0.stringValue != nil })
      default:
        out[key] = value
      }
    }
    return .object(out)
  }

  static func cleanMap(
    _ value: JSON, _ depth: Int, _ definitions: Definitions?, _ expanding: inout Walk
  ) -> JSON {
    guard let map = value.objectValue else { return .object(JSONObject()) }
    var out = JSONObject()
    for e in map.entries {
      out[e.key] = clean(e.value, depth: depth + 1, definitions: definitions, expanding: &expanding)
    }
    return .object(out)
  }
}
