import HTTPTypes
import Hummingbird
import LifelineService
import Logging

/// The outermost middleware: gives each request an id (the client's `X-Request-Id` when it
/// is a plain token, else a new one), echoes it on the answer, finds the client's address, and
/// logs one line per request with the route's pattern (never the path itself, which can hold
/// an email or a number), the status and the time taken.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = LifelineRequestContext
    let random: any RandomSource
    let resolver: ClientAddressResolver

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? random.hex(12)
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        context.clientAddress = resolver.client(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        var response = try await next(request, context)
        response.headers[.requestID] = id
        let elapsed = ContinuousClock.now - started
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "route": .string(context.endpointPath ?? "unmatched"),
                "status": .stringConvertible(response.status.code),
                "ms": .stringConvertible((elapsed / .milliseconds(1) * 10).rounded() / 10),
            ])
        return response
    }

    /// A client's id is kept only when it cannot forge a log line: 1–128 letters, digits, `-._:`.
    static func acceptable(_ text: String) -> String? {
        let allowed = text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
        }
        return allowed && (1...128).contains(text.utf8.count) ? text : nil
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
