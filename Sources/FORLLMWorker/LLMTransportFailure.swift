import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Short human reasons for the errors AsyncHTTPClient and NIO throw.
enum LLMTransportFailure {
    /// "connection refused", "no connection within 10 s", "the server closed the connection"...
    static func describe(_ error: any Error, connectTimeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            if error == .connectTimeout {
                return "no connection within \(connectTimeout.formattedForLLMMessage)"
            }
            if error == .remoteConnectionClosed {
                return "the server closed the connection"
            }
            return error.shortDescription
        }
        if let error = error as? HTTPParserError, error == .invalidEOFState {
            return "the server closed the connection in the middle of the response"
        }
        if let ioError = self.findIOError(in: error, depth: 0) {
            return String(cString: strerror(ioError.errnoCode)).lowercased()
        }
        return String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// NIOPosix wraps the errno of a failed connect in `NIOConnectionError`, a type this module
    /// cannot name (it does not import NIOPosix): look for the `IOError` inside by reflection.
    private static func findIOError(in value: Any, depth: Int) -> IOError? {
        if let ioError = value as? IOError {
            return ioError
        }
        guard depth < 4 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = self.findIOError(in: child.value, depth: depth + 1) {
                return found
            }
        }
        return nil
    }
}
