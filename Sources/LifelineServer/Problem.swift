import FoundationEssentials
import Hummingbird
import LifelineService
import Logging
import NIOCore
import NIOHTTP1

/// An RFC 9457 problem: `type`, `title`, `status`, `detail`, and Lifeline's `code`, the same
/// words the CLI prints, as `application/problem+json`.
public struct Problem: Error, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let detail: String
    /// Seconds to wait before trying again, for 429 and 503.
    public var retryAfter: Int?
    /// RFC 9457 extension members (an import's counts and rejections), written beside the
    /// standard ones.
    var members: (any Encodable & Sendable)?
    /// More headers, such as the rate-limit ones on a 429.
    var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public static func == (left: Problem, right: Problem) -> Bool {
        left.status == right.status && left.code == right.code && left.detail == right.detail
            && left.retryAfter == right.retryAfter
    }

    /// The problem a service failure is, with the status its kind maps to.
    public init(_ failure: any LifelineFailure) {
        var (status, code): (HTTPResponse.Status, String) =
            switch failure.kind {
            case .usage: (.badRequest, "usage")
            case .badInput: (.unprocessableContent, "bad_input")
            case .inputMissing: (.notFound, "not_found")
            case .gatewayUnavailable: (.badGateway, "gateway_unavailable")
            case .databaseUnavailable: (.serviceUnavailable, "database_unavailable")
            case .busy: (.serviceUnavailable, "busy")
            case .configuration: (.internalServerError, "configuration")
            case .internal: (.internalServerError, "internal")
            }
        switch failure as? DirectoryFailure {
        case .noSMSAttribute:
            // The directory's state, which an admin sets up (409), not the server's
            // misconfiguration (500).
            status = .conflict
        case .groupNotFound:
            // No route has a group in its path: a group that does not exist was named in the
            // body or the query, which is bad input. A 404 always means the path's own resource.
            (status, code) = (.unprocessableContent, "bad_input")
        default:
            break
        }
        self.init(
            status: status, code: code,
            // The message alone: remedies are written for the terminal (a command, an option).
            detail: failure.message,
            retryAfter: Self.retryAfter(failure.kind))
    }

    /// When to ask again: a busy database in a second; an unavailable one (a failover elects
    /// a new primary in seconds, well within the 30 s Lifeline promises) in five.
    private static func retryAfter(_ kind: FailureKind) -> Int? {
        switch kind {
        case .busy: 1
        case .databaseUnavailable: 5
        default: nil
        }
    }

    public static func unauthorized(_ detail: String) -> Problem { Problem(status: .unauthorized, code: "unauthorized", detail: detail) }
    public static func forbidden(_ detail: String) -> Problem { Problem(status: .forbidden, code: "forbidden", detail: detail) }

    /// The response, as `application/problem+json`.
    public var response: Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let document = Document(
            type: "https://lifeline.invalid/problems/\(code)", title: status.reasonPhrase, status: status.code, detail: detail,
            code: code, members: members)
        // A document of strings and numbers always encodes; were it not to, the status still stands.
        let body = (try? encoder.encode(document)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"code\":\"\(code)\"}"
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The problem's JSON: RFC 9457's members, Lifeline's `code`, then any extension members.
    private struct Document: Encodable {
        let type: String
        let title: String
        let status: Int
        let detail: String
        let code: String
        let members: (any Encodable & Sendable)?

        enum CodingKeys: String, CodingKey {
            case type, title, status, detail, code
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(title, forKey: .title)
            try container.encode(status, forKey: .status)
            try container.encode(detail, forKey: .detail)
            try container.encode(code, forKey: .code)
            try members?.encode(to: encoder)
        }
    }
}

extension Problem {
    /// nginx's word for a request whose client left before the answer: not a 5xx.
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")

    static func meansClientLeft(_ error: ChannelError) -> Bool {
        switch error {
        case .ioOnClosedChannel, .alreadyClosed, .eof, .inputClosed, .outputClosed: true
        default: false
        }
    }

    /// The problem any thrown error is; failures of the server itself are logged, once, here.
    init(caught error: any Error, logger: Logger) {
        switch error {
        case let problem as Problem:
            self = problem
        case let failure as any LifelineFailure:
            if failure.kind == .internal || failure.kind == .configuration {
                logger.error("request failed", metadata: ["failure": .string(failure.description)])
            }
            self.init(failure)
        case let error as HTTPParserError:
            // A malformed request (a broken chunked body, say) is the client's fault.
            self.init(status: .badRequest, code: "usage", detail: "the request is not well-formed HTTP: \(error)")
        case let error as ChannelError where Self.meansClientLeft(error):
            // The client hung up mid-request: no answer reaches it, and it is no server failure.
            self.init(status: Self.clientClosedRequest, code: "client_closed", detail: "the client closed the connection")
        case is CancellationError:
            // The server is stopping and its deadline passed with this request still open.
            self.init(status: .serviceUnavailable, code: "shutting_down", detail: "the server is stopping; try another or again shortly")
        case let error as any HTTPResponseError:
            let status = error.status
            self.init(status: status, code: status == .notFound ? "not_found" : "http_\(status.code)", detail: "\(error)")
        default:
            logger.error("unexpected error", metadata: ["error": .string("\(type(of: error))")])
            self.init(status: .internalServerError, code: "internal", detail: "an internal error; it was logged")
        }
    }
}
