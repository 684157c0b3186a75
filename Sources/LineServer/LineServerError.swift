import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of a listening service itself (not of a client).
public struct LineServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for a person.
    public var message: String

    public init(message: String) {
        self.message = message
    }

    /// The listening socket could not be bound: says where, why, and what to do.
    init(bindingFailedOn host: String, port: Int, _ error: any Error, hints: LineListener.BindFailureHints) {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        guard let ioError = error as? IOError else {
            self.message = "cannot listen on \(address): \(error)"
            return
        }
        let reason = String(cString: strerror(ioError.errnoCode))
        let hint: String
        switch ioError.errnoCode {
        case EADDRINUSE:
            hint = "; " + hints.addressInUse
        case EACCES:
            hint = "; " + hints.permissionDenied
        case EADDRNOTAVAIL:
            hint = "; this machine has no such address"
        default:
            hint = ""
        }
        self.message = "cannot listen on \(address): \(reason)\(hint)"
    }

    public var description: String { self.message }
}
