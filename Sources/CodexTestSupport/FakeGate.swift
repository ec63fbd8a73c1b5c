import Synchronization

/// A one-way latch a test opens to let a scripted response continue (`FakeStep.wait`).
/// Once open it stays open, for every waiter. Built on a pipe so the server thread can wait for
/// it and for its own stop signal in one `poll`.
public final class FakeGate: Sendable {
  private let readFD: Int32
  private let writeFD: Int32
  private let opened = Atomic<Bool>(false)

  public init() throws {
    (readFD, writeFD) = try FakeSocket.makePipe()
  }

  deinit {
    FakeSocket.close(readFD)
    FakeSocket.close(writeFD)
  }

  /// Lets every current and future waiter pass.
  public func open() {
    // The byte is never read, so the pipe stays readable: that is what makes it a latch.
    if !opened.exchange(true, ordering: .acquiringAndReleasing) {
      FakeSocket.writeByte(writeFD)
    }
  }

  public var isOpen: Bool { opened.load(ordering: .acquiring) }

  /// Blocks until opened (true) or until `stop` becomes readable (false).
  func wait(stop: Int32) -> Bool {
    FakeSocket.waitReadable(readFD, stop: stop) == .ready
  }
}
