/// The providers `codex` knows without any config. A user's `[model_providers.ID]` with the same
/// id replaces an entry field by field (unlike upstream, where built-ins cannot be overridden).
public enum BuiltInProviders {
  public static let all: [ProviderInfo] = [
    ProviderInfo(
      id: "openai", name: "OpenAI", baseURL: "https://api.openai.com/v1", wire: .responses,
      flavor: .openai, envKey: "OPENAI_API_KEY",
      envKeyInstructions: "Create a key at https://platform.openai.com/api-keys", requiresKey: true,
      defaultModel: "gpt-5"),
    ProviderInfo(
      id: "ollama", name: "Ollama", baseURL: "http://localhost:11434", wire: .ollama,
      flavor: .ollama, envKey: "OLLAMA_API_KEY", isLocal: true, startHint: "ollama serve",
      defaultModel: "llama3.2"),
    ProviderInfo(
      id: "vllm", name: "vLLM", baseURL: "http://localhost:8000/v1", wire: .chat, flavor: .vllm,
      envKey: "VLLM_API_KEY", isLocal: true, startHint: "vllm serve <model>"),
    ProviderInfo(
      id: "huggingface", name: "Hugging Face TGI", baseURL: "http://localhost:8080", wire: .chat,
      flavor: .tgi, envKey: "HF_TOKEN", isLocal: true,
      startHint: "text-generation-launcher --model-id <model>", chatTemplate: "auto"),
    ProviderInfo(
      id: "lmstudio", name: "LM Studio", baseURL: "http://localhost:1234/v1", wire: .chat,
      flavor: .lmstudio, envKey: "LMSTUDIO_API_KEY", isLocal: true,
      startHint: "lms server start"),
    ProviderInfo(
      id: "llamacpp", name: "llama.cpp server", baseURL: "http://localhost:8080/v1", wire: .chat,
      flavor: .llamacpp, envKey: "LLAMA_API_KEY", isLocal: true,
      startHint: "llama-server -m <model.gguf> --jinja"),
    ProviderInfo(
      id: "ollama-cloud", name: "Ollama Cloud", baseURL: "https://ollama.com", wire: .ollama,
      flavor: .ollama, envKey: "OLLAMA_API_KEY",
      envKeyInstructions: "Create a key at https://ollama.com/settings/keys", requiresKey: true),
    ProviderInfo(
      id: "anthropic", name: "Anthropic", baseURL: "https://api.anthropic.com", wire: .anthropic,
      envKey: "ANTHROPIC_API_KEY",
      envKeyInstructions: "Create a key at https://console.anthropic.com/settings/keys",
      requiresKey: true, defaultModel: "claude-sonnet-4-5"),
    ProviderInfo(
      id: "gemini", name: "Gemini", baseURL: "https://generativelanguage.googleapis.com",
      wire: .gemini, envKey: "GEMINI_API_KEY", alternateEnvKeys: ["GOOGLE_API_KEY"],
      envKeyInstructions: "Create a key at https://aistudio.google.com/apikey", requiresKey: true,
      defaultModel: "gemini-2.5-flash"),
    // The same models through Gemini's OpenAI-compatible endpoint (the chat wire).
    ProviderInfo(
      id: "gemini-openai", name: "Gemini (OpenAI-compatible)",
      baseURL: "https://generativelanguage.googleapis.com/v1beta/openai", wire: .chat,
      envKey: "GEMINI_API_KEY", alternateEnvKeys: ["GOOGLE_API_KEY"],
      envKeyInstructions: "Create a key at https://aistudio.google.com/apikey", requiresKey: true,
      defaultModel: "gemini-2.5-flash"),
    hosted("openrouter", "OpenRouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    hosted("groq", "Groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    hosted("mistral", "Mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    hosted("together", "Together", "https://api.together.ai/v1", "TOGETHER_API_KEY"),
    hosted("deepseek", "DeepSeek", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
    hosted("cerebras", "Cerebras", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
    hosted("fireworks", "Fireworks", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"),
    hosted("xai", "xAI", "https://api.x.ai/v1", "XAI_API_KEY"),
    hosted("moonshot", "Moonshot", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY"),
    hosted("kimi", "Kimi (Moonshot)", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY"),
    hosted("moonshot-cn", "Moonshot (China)", "https://api.moonshot.cn/v1", "MOONSHOT_API_KEY"),
    hosted("nvidia", "NVIDIA NIM", "https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY"),
    hosted("siliconflow", "SiliconFlow", "https://api.siliconflow.com/v1", "SILICONFLOW_API_KEY"),
    ProviderInfo(
      id: "siliconflow-cn", name: "SiliconFlow (China)", baseURL: "https://api.siliconflow.cn/v1",
      wire: .chat, envKey: "SILICONFLOW_CN_API_KEY", alternateEnvKeys: ["SILICONFLOW_API_KEY"],
      requiresKey: true),
  ]

  private static func hosted(_ id: String, _ name: String, _ url: String, _ env: String)
    -> ProviderInfo
  {
    ProviderInfo(
      id: id, name: name, baseURL: url, wire: .chat, flavor: .generic, envKey: env,
      requiresKey: true)
  }

  public static func provider(id: String) -> ProviderInfo? { all.first(where: { $0.id == id }) }

  /// A provider for a bare `--provider-url` with no known id: an OpenAI-compatible server that
  /// may or may not want a key (`OPENAI_API_KEY` is sent when set).
  public static func custom(url: String) -> ProviderInfo {
    ProviderInfo(
      id: "custom", name: "the OpenAI-compatible server", baseURL: url, wire: .chat,
      flavor: .generic, envKey: "OPENAI_API_KEY", isLocal: true)
  }
}
