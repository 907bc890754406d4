import Foundation

/// A minimal HTTP/1.1 client for end-to-end tests against a server on 127.0.0.1: one request
/// per connection (`Connection: close`), the whole answer read, on a thread of its own.
public enum LoopbackHTTP {
    public struct Answer: Sendable {
        public let status: Int
        public let headers: [String: String]
        public let body: String
    }

    public static func request(
        port: Int, method: String, path: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try send(port: port, method: method, path: path, headers: headers, body: body) })
            }.start()
        }
    }

    /// Sends the head and `firstPart` of the body, runs `meanwhile` (a signal to the server,
    /// say), then sends `rest` and reads the answer: a request in flight while something happens.
    public static func request(
        port: Int, method: String, path: String, headers: [String: String] = [:], firstPart: String, rest: String,
        meanwhile: @Sendable () async -> Void
    ) async throws -> Answer {
        let connection = Connection()
        let first = Array(firstPart.utf8), second = Array(rest.utf8)
        await onOwnThread {
            connection.open(port: port)
            connection.write(head(port: port, method: method, path: path, headers: headers, length: first.count + second.count) + first)
        }
        await meanwhile()
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                connection.write(second)
                continuation.resume(with: Result { try connection.answer() })
            }.start()
        }
    }

    /// Sends `bytes` as they are (a malformed request, say) and reads the answer; with
    /// `hangUp`, closes the sending side after them instead of waiting for more.
    public static func raw(port: Int, _ bytes: String, hangUp: Bool = false) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                let connection = Connection()
                connection.open(port: port)
                connection.write(Array(bytes.utf8))
                if hangUp { connection.shutDownWriting() }
                continuation.resume(with: Result { try connection.answer() })
            }.start()
        }
    }

    private static func send(port: Int, method: String, path: String, headers: [String: String], body: String?) throws -> Answer {
        let connection = Connection()
        connection.open(port: port)
        let payload = Array((body ?? "").utf8)
        connection.write(head(port: port, method: method, path: path, headers: headers, length: payload.count) + payload)
        return try connection.answer()
    }

    private static func head(port: Int, method: String, path: String, headers: [String: String], length: Int) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(length)\r\n\r\n"
        return Array(text.utf8)
    }

    /// One connection, used by one thread at a time.
    private final class Connection: @unchecked Sendable {
        private var descriptor: Int32 = -1

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        func open(port: Int) {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { return }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if connected != 0 {
                close(descriptor)
                descriptor = -1
            }
        }

        func write(_ bytes: [UInt8]) {
            guard descriptor >= 0 else { return }
            _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        func shutDownWriting() {
            if descriptor >= 0 { shutdown(descriptor, Int32(SHUT_WR)) }
        }

        func answer() throws -> Answer {
            guard descriptor >= 0 else { throw POSIXError(.ECONNREFUSED) }
            var received: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(descriptor, &chunk, chunk.count)
                guard count > 0 else { break }
                received += chunk[..<count]
            }
            let answer = String(decoding: received, as: UTF8.self)
            let parts = answer.components(separatedBy: "\r\n\r\n")
            let head = parts[0].components(separatedBy: "\r\n")
            let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            var fields: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return Answer(status: status, headers: fields, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
        }
    }
}
