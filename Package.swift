// swift-tools-version:6.0
// codex: a zero-dependency build. Foundation, Dispatch, Glibc and libcurl (through our own C
// shim) only; never add a package dependency to this manifest.
import PackageDescription

/// One set of Swift settings for every Swift target, so the whole package builds alike.
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6)
]

let package = Package(
  name: "codex",
  products: [
    .executable(name: "codex", targets: ["codex"])
  ],
  targets: [
    // C shims: Swift cannot call C variadics (curl_easy_setopt, syscall, prctl).
    // CCurl loads libcurl with dlopen on first use (see CCurl.h): not linked, so starts that
    // make no request do not pay for loading it and its ~25 dependencies.
    .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "CSandbox"),

    .target(name: "CodexCore", dependencies: ["CCurl", "CSandbox"], swiftSettings: swiftSettings),
    .target(name: "CodexTerminal", dependencies: ["CodexCore"], swiftSettings: swiftSettings),
    .executableTarget(
      name: "codex", dependencies: ["CodexCore", "CodexTerminal"], swiftSettings: swiftSettings),

    // Not part of the product: request-encoding micro-benchmark for bench/run.
    .executableTarget(
      name: "codex-bench", dependencies: ["CodexCore"], path: "bench/codex-bench",
      swiftSettings: swiftSettings),

    .target(
      name: "CodexTestSupport", dependencies: ["CodexCore", "CSandbox"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "CodexCoreTests", dependencies: ["CodexCore", "CodexTestSupport"],
      exclude: ["Fixtures"], swiftSettings: swiftSettings),
    .testTarget(
      name: "CodexTerminalTests", dependencies: ["CodexTerminal", "CodexTestSupport"],
      swiftSettings: swiftSettings),
    .testTarget(
      name: "EndToEndTests", dependencies: ["CodexCore", "CodexTestSupport"],
      swiftSettings: swiftSettings),
  ]
)
