import CodexCore
import CodexTerminal
