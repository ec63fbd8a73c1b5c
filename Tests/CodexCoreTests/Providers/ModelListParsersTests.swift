import Testing

@testable import CodexCore

/// Each server's model listing, in the shapes protocols.md records, read into `ModelInfo`.
@Suite struct ModelListParsersTests {
  func json(_ text: String) throws -> JSON { try JSON.parse(text) }

  @Test func vllmWindowAndLoRAParent() throws {
    let models = ModelListParsers.openAIList(
      try json(
        #"{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B","object":"model","max_model_len":32768},{"id":"my-lora","object":"model","max_model_len":null,"parent":"Qwen/Qwen2.5-7B"}]}"#
      ))
    #expect(models.map(\.id) == ["Qwen/Qwen2.5-7B", "my-lora"])
    #expect(models[0].contextWindow == 32768)
    #expect(models[1].contextWindow == 32768, "a LoRA entry inherits its parent's window")
  }

  @Test func llamaCppMetaAllocatedAndTrained() throws {
    let models = ModelListParsers.openAIList(
      try json(
        #"{"models":[{"name":"smol"}],"object":"list","data":[{"id":"smol.gguf","object":"model","meta":{"n_ctx":256,"n_ctx_train":8192,"n_params":134515008,"size":270898176}}]}"#
      ))
    #expect(models.count == 1)
    #expect(models[0].contextWindow == 256)
    #expect(models[0].trainedContext == 8192)
    #expect(models[0].parameterSize == "135M")
    #expect(models[0].sizeBytes == 270_898_176)
  }

  @Test func openRouterContextToolsVisionAndPrices() throws {
    let models = ModelListParsers.openAIList(
      try json(
        #"{"data":[{"id":"qwen/qwen-2.5-coder-32b-instruct","name":"Qwen2.5 Coder 32B","context_length":32768,"pricing":{"prompt":"0.00000006","completion":"0.00000015","input_cache_read":"0.00000003"},"top_provider":{"context_length":32768,"max_completion_tokens":16384},"supported_parameters":["tools","temperature"],"architecture":{"input_modalities":["text"]}},{"id":"openrouter/auto","context_length":2000000,"pricing":{"prompt":"-1","completion":"-1"},"supported_parameters":[],"architecture":{"input_modalities":["text","image"]}}]}"#
      ))
    let coder = try #require(models.first)
    #expect(coder.contextWindow == 32768)
    #expect(coder.maxOutputTokens == 16384)
    #expect(coder.tools == true)
    #expect(coder.vision == false)
    let price = try #require(coder.price)
    #expect(abs(price.input - 0.06) < 1e-9)
    #expect(abs(price.cachedInput - 0.03) < 1e-9)
    #expect(abs(price.output - 0.15) < 1e-9)
    // "-1" means the price varies: no price rather than a negative one.
    #expect(models[1].price == nil)
    #expect(models[1].tools == false)
    #expect(models[1].vision == true)
  }

  @Test func lmStudioV0LoadedStateAndSkipsEmbeddings() throws {
    let models = ModelListParsers.openAIList(
      try json(
        #"{"object":"list","data":[{"id":"qwen2.5-coder-7b-instruct","object":"model","type":"llm","publisher":"lmstudio-community","arch":"qwen2","quantization":"Q4_K_M","state":"loaded","max_context_length":32768,"loaded_context_length":8192},{"id":"qwen2-vl-7b","type":"vlm","state":"not-loaded","max_context_length":32768},{"id":"text-embedding-nomic","type":"embeddings","state":"not-loaded","max_context_length":2048}]}"#
      ))
    #expect(models.map(\.id) == ["qwen2.5-coder-7b-instruct", "qwen2-vl-7b"])
    #expect(models[0].contextWindow == 8192, "the loaded context, not the maximum")
    #expect(models[0].trainedContext == 32768)
    #expect(models[0].loaded == true)
    #expect(models[0].quantization == "Q4_K_M")
    #expect(models[1].contextWindow == 32768)
    #expect(models[1].loaded == false)
    #expect(models[1].vision == true)
  }

  @Test func lmStudioV1LoadedInstances() throws {
    let models = ModelListParsers.lmStudioV1(
      try json(
        #"{"models":[{"type":"llm","key":"qwen/qwen3-8b","display_name":"Qwen3 8B","max_context_length":40960,"loaded_instances":[{"id":"qwen/qwen3-8b","config":{"context_length":4096}}]},{"type":"embedding","key":"nomic"}]}"#
      ))
    #expect(models.count == 1)
    #expect(models[0].id == "qwen/qwen3-8b")
    #expect(models[0].contextWindow == 4096)
    #expect(models[0].trainedContext == 40960)
    #expect(models[0].loaded == true)
  }

  @Test func ollamaTagsShowAndPs() throws {
    let tags = ModelListParsers.ollamaTags(
      try json(
        #"{"models":[{"name":"qwen2.5-coder:7b","model":"qwen2.5-coder:7b","size":4683087332,"details":{"format":"gguf","family":"qwen2","parameter_size":"7.6B","quantization_level":"Q4_K_M"}},{"name":"llama3.2:latest","size":2019393189,"details":{"parameter_size":"3.2B","quantization_level":"Q4_K_M","context_length":131072},"capabilities":["completion","tools"]}]}"#
      ))
    #expect(tags.map(\.id) == ["qwen2.5-coder:7b", "llama3.2:latest"])
    #expect(tags[0].sizeBytes == 4_683_087_332)
    #expect(tags[0].parameterSize == "7.6B")
    #expect(tags[0].tools == nil, "before v0.30 the listing does not say")
    #expect(tags[1].trainedContext == 131072)
    #expect(tags[1].tools == true)

    let show = ModelListParsers.ollamaShow(
      try json(
        #"{"parameters":"stop \"<|im_end|>\"\nnum_ctx 8192","model_info":{"general.architecture":"qwen2","qwen2.context_length":32768,"qwen2.embedding_length":3584},"capabilities":["completion","tools","insert"]}"#
      ))
    #expect(show.trainedContext == 32768)
    #expect(show.modelfileNumCtx == 8192)
    #expect(show.capabilities == ["completion", "tools", "insert"])

    let loaded = ModelListParsers.ollamaLoaded(
      try json(
        #"{"models":[{"name":"qwen2.5-coder:7b","model":"qwen2.5-coder:7b","size":6654289920,"size_vram":6654289920,"context_length":16384},{"name":"old:latest","model":"old:latest"}]}"#
      ))
    #expect(loaded["qwen2.5-coder:7b"] == .some(16384))
    #expect(loaded["old:latest"] == .some(nil), "loaded, allocation unknown (before v0.10)")
  }

  @Test func tgiInfo() throws {
    let models = ModelListParsers.tgiInfo(
      try json(
        #"{"model_id":"HuggingFaceH4/zephyr-7b-beta","max_input_tokens":4095,"max_total_tokens":4096,"version":"3.3.6"}"#
      ))
    #expect(models == [ModelInfo(id: "HuggingFaceH4/zephyr-7b-beta", contextWindow: 4096)])
  }

  @Test func anthropicListAndPages() throws {
    let page = try json(
      #"{"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z","max_input_tokens":200000,"max_tokens":64000,"capabilities":{"image_input":{"supported":true},"thinking":{"supported":true}}}],"has_more":true,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-sonnet-4-5-20250929"}"#
    )
    let models = ModelListParsers.anthropicList(page)
    #expect(models.first?.contextWindow == 200_000)
    #expect(models.first?.maxOutputTokens == 64000)
    #expect(models.first?.vision == true)
    #expect(models.first?.displayName == "Claude Sonnet 4.5")
    #expect(ModelListParsers.anthropicNextPage(page) == "after_id=claude-sonnet-4-5-20250929")
    #expect(ModelListParsers.anthropicNextPage(try json(#"{"data":[],"has_more":false}"#)) == nil)
  }

  @Test func geminiOnlyGenerativeModels() throws {
    let page = try json(
      #"{"models":[{"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","inputTokenLimit":1048576,"outputTokenLimit":65536,"supportedGenerationMethods":["generateContent","countTokens"],"thinking":true},{"name":"models/text-embedding-004","inputTokenLimit":2048,"supportedGenerationMethods":["embedContent"]}],"nextPageToken":"abc/="}"#
    )
    let models = ModelListParsers.geminiList(page)
    #expect(models.map(\.id) == ["gemini-2.5-flash"])
    #expect(models[0].contextWindow == 1_048_576)
    #expect(models[0].thinking == true)
    #expect(ModelListParsers.geminiNextPage(page) == "pageToken=abc%2F%3D")
  }

  /// Numbers from a server are trusted only when they are positive integers.
  @Test func hostileNumbersAreNoAnswer() throws {
    let models = ModelListParsers.openAIList(
      try json(
        #"{"data":[{"id":"a","max_model_len":-5},{"id":"b","max_model_len":1e300},{"id":"c","max_model_len":"4096"},{"id":"d","max_model_len":4096.5},{"id":"","max_model_len":1},{"max_model_len":1},{"id":"e","meta":{"size":-1,"n_params":1e40}}]}"#
      ))
    #expect(models.map(\.id) == ["a", "b", "c", "d", "e"])
    #expect(models.allSatisfy { $0.contextWindow == nil })
    #expect(models[4].sizeBytes == nil)
    #expect(models[4].parameterSize == nil)
    #expect(ModelListParsers.perToken(.string("NaN")) == nil)
    #expect(ModelListParsers.perToken(.string("inf")) == nil)
    #expect(ModelListParsers.perToken(.double(5)) == nil, "five dollars a token is not a price")
    // Not a listing at all.
    #expect(ModelListParsers.openAIList(try json(#"{"data":"nope"}"#)).isEmpty)
    #expect(ModelListParsers.ollamaTags(try json(#"[1,2]"#)).isEmpty)
  }

  @Test func closestNamesForAMissingModel() {
    let available = ["qwen2.5-coder:14b", "qwen2.5:7b", "llama3.2:latest", "mistral:7b"]
    #expect(
      ModelCatalog.closest(to: "qwen2.5-coder:7b", in: available).first == "qwen2.5-coder:14b")
    #expect(ModelCatalog.closest(to: "llama3.2", in: available) == ["llama3.2:latest"])
    #expect(ModelCatalog.closest(to: "zzzzzzzzzzzzzz", in: available).isEmpty)
  }
}
