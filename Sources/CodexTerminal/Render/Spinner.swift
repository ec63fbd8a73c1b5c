import Dispatch
import Synchronization

/// "⠹ working 3s" on stderr while nothing else shows progress: before the first token and
/// while a command runs. It draws only on a terminal (the caller creates it only then), uses
/// nothing but `\r` and spaces to erase itself, and is always erased before other text prints:
/// everything that writes during a turn calls `stop()` first.
public final class Spinner: Sendable {
  struct State {
    var label: String?
    var started = ContinuousClock.now
    var frame = 0
    /// Columns currently drawn (0: nothing on screen).
    var drawn = 0
    var timer: (any DispatchSourceTimer)?
  }

  let fd: Int32
  let style: Style
  let state = Mutex(State())
  static let frames: [Character] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

  public init(fd: Int32, style: Style) {
    self.fd = fd
    self.style = style
  }

  /// Shows `label` with the seconds since now; replaces any label already showing.
  public func start(_ label: String) {
    state.withLock { s in
      s.label = label
      s.started = .now
      guard s.timer == nil else { return }
      let timer = DispatchSource.makeTimerSource(queue: .global())
      timer.setEventHandler { [weak self] in self?.tick() }
      // The first frame waits a little: an answer that comes at once never sees a spinner.
      timer.schedule(deadline: .now() + .milliseconds(150), repeating: .milliseconds(100))
      timer.resume()
      s.timer = timer
    }
  }

  /// Changes the label, keeping the clock (reasoning that is hidden: "thinking").
  public func relabel(_ label: String) {
    state.withLock { $0.label = label }
  }

  /// Erases the spinner (if drawn) and stops it. Returns once nothing more will be drawn.
  public func stop() {
    state.withLock { s in
      s.timer?.cancel()
      s.timer = nil
      s.label = nil
      erase(&s)
    }
  }

  public var isRunning: Bool { state.withLock { $0.timer != nil } }

  func tick() {
    state.withLock { s in
      guard let label = s.label, s.timer != nil else { return }
      let seconds = (ContinuousClock.now - s.started).components.seconds
      let frame = Self.frames[s.frame % Self.frames.count]
      s.frame += 1
      let text = "\(frame) \(label) \(seconds)s · Ctrl-C to interrupt"
      let width = CharacterWidth.of(text)
      let padding = String(repeating: " ", count: max(0, s.drawn - width))
      TerminalIO.write(fd, "\r" + style.dim(text) + padding + "\r")
      s.drawn = width
    }
  }

  func erase(_ s: inout State) {
    guard s.drawn > 0 else { return }
    TerminalIO.write(fd, "\r" + String(repeating: " ", count: s.drawn) + "\r")
    s.drawn = 0
  }
}
