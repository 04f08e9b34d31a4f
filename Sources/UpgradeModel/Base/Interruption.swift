import Dispatch
import Foundation

/// A request to stop a mutating operation at its next safe point (SECURITY.md "Audit"). The CLI turns
/// SIGINT, SIGTERM and SIGHUP into such a request while an operation performs, so that the operation
/// finishes its current atomic step, records `interrupted` and exits; the dashboard requests it when
/// the operator quits during an operation.
public final class Interruption: @unchecked Sendable {
    public static let shared = Interruption()

    private let lock = NSLock()
    private var reason: String?
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var requested: String? { lock.withLock { reason } }

    public func request(_ why: String) {
        lock.withLock { if reason == nil { reason = why } }
    }

    public func reset() { lock.withLock { reason = nil } }

    /// Throws `interrupted` when a request is pending: called between the atomic steps of an operation.
    public func checkpoint(_ state: String = "") throws {
        if let reason = requested {
            throw UpgradeError.interrupted("interrupted by \(reason)" + (state.isEmpty ? "" : ": \(state)"))
        }
    }

    /// Runs `body` with SIGINT, SIGTERM and SIGHUP turned into requests; restores their default after.
    public func catchingSignals<T>(_ body: () async throws -> T) async rethrows -> T {
        install()
        defer { uninstall() }
        return try await body()
    }

    private func install() {
        lock.withLock {
            for (signo, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM"), (SIGHUP, "SIGHUP")] {
                signal(signo, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
                source.setEventHandler { [weak self] in self?.request(name) }
                source.resume()
                sources.append(source)
            }
        }
    }

    private func uninstall() {
        lock.withLock {
            sources.forEach { $0.cancel() }
            sources = []
            for signo in [SIGINT, SIGTERM, SIGHUP] { signal(signo, SIG_DFL) }
        }
    }
}
