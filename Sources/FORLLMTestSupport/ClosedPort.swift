import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback port that is bound but not listening: a connection to it is refused at once, as
/// to a backend that is switched off. While reserved, no other test running in parallel can
/// be given the port (a port merely closed again can be handed to the next server that binds
/// port 0, which then answers where a test expects nothing).
///
/// Keep it alive for as long as the port must stay dead, e.g. with `defer { closed.release() }`.
public final class ClosedPort: Sendable {
    public let port: Int
    /// The bound socket, until released.
    private let descriptor: Mutex<Int32?>

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClosedPortError(call: "socket", code: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(fd, address, length) == 0 && getsockname(fd, address, &length) == 0
            }
        }
        guard bound else {
            let code = errno
            close(fd)
            throw ClosedPortError(call: "bind", code: code)
        }
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.descriptor = Mutex(fd)
    }

    /// Frees the port (to start a server on it: the backend coming up).
    public func release() {
        self.descriptor.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    deinit {
        self.release()
    }
}

/// A system call failed while reserving a port.
public struct ClosedPortError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var description: String { "\(self.call): \(String(cString: strerror(self.code)))" }
}
