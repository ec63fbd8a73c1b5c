import CodexCore
