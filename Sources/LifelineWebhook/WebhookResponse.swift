import AsyncHTTPClient
import FoundationEssentials
import Glibc
import LifelineService
import NIOCore
import NIOPosix

/// What an HTTP answer means for one message.
enum WebhookResponse {
    /// 2xx: sent, with the provider's id from the body (`id` or `message_id`) when it gave one;
    /// 429: throttled and 5xx: retry, not before `Retry-After` (seconds) when given; 3xx (never
    /// followed) and other codes: failed.
    ///
    /// `mayEchoASecret`: the message carried a code, and a provider that echoes the request in
    /// its error would put the code into `last_error` in clear; then only the status and the
    /// provider's numeric error `code` are kept, never the body.
    static func outcome(status: Int, retryAfter: String?, body: [UInt8], mayEchoASecret: Bool = false) -> GatewayOutcome {
        let detail = mayEchoASecret ? errorCode(in: body).map { " (provider error \($0))" } ?? "" : excerpt(body)
        switch status {
        case 200..<300:
            return .sent(providerID: providerID(in: body))
        case 300..<400:
            return .failed(reason: "HTTP \(status): the receiver redirected, and a signed message is never sent on")
        case 429:
            return .throttled(reason: "HTTP 429\(detail)", after: retryAfter.flatMap(retryDelay))
        case 500..<600:
            return .retry(reason: "HTTP \(status)\(detail)", after: retryAfter.flatMap(retryDelay))
        default:
            return .failed(reason: "HTTP \(status)\(detail)")
        }
    }

    /// Sends one message's request and reads the answer: a connection that never opened is a
    /// retry, a request that went out and got no answer an unknown outcome.
    static func outcome(
        of request: HTTPClientRequest, for message: GatewayMessage, through client: HTTPClient, timeout: Duration, gateway: String
    ) async -> ConcurrentRequests.Answer {
        do {
            let response = try await client.execute(request, timeout: .milliseconds(timeout.wholeMilliseconds))
            let answer = try await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            return ConcurrentRequests.Answer(
                outcome: outcome(
                    status: status, retryAfter: response.headers.first(name: "Retry-After"), body: Array(buffer: answer),
                    mayEchoASecret: message.program == .verification),
                status: status)
        } catch where neverReachedProvider(error) {
            return ConcurrentRequests.Answer(outcome: .retry(reason: "\(gateway) request failed: \(error)", after: nil), status: nil)
        } catch {
            return ConcurrentRequests.Answer(outcome: .unknown(reason: "\(gateway) request got no answer: \(error)"), status: nil)
        }
    }

    /// Whether a failure in transit happened before any byte of the request could reach the
    /// provider: no connection was made, so the message was certainly not accepted. Anything
    /// else (a timeout while waiting for the answer, a connection closed mid-answer) may have
    /// come after the provider took it.
    static func neverReachedProvider(_ error: any Error) -> Bool {
        switch error {
        case let error as HTTPClientError:
            [.connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout]
                .contains(error)
        case is NIOConnectionError:
            true
        case let error as IOError:
            [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode)
        case ChannelError.connectTimeout:
            true
        default:
            false
        }
    }

    private struct ProviderError: Decodable {
        let code: Int?
    }

    /// The provider's numeric error code (`{"code": 21211, …}`, as Twilio answers), if any.
    static func errorCode(in body: [UInt8]) -> Int? {
        guard !body.isEmpty else { return nil }
        return (try? JSONDecoder().decode(ProviderError.self, from: Data(body)))?.code
    }

    private struct Acknowledgement: Decodable {
        let id: String?
        let messageID: String?
        /// Twilio's message SID.
        let sid: String?

        enum CodingKeys: String, CodingKey {
            case id, sid
            case messageID = "message_id"
        }
    }

    static func providerID(in body: [UInt8]) -> String? {
        guard !body.isEmpty, let acknowledgement = try? JSONDecoder().decode(Acknowledgement.self, from: Data(body)) else {
            return nil
        }
        return acknowledgement.id ?? acknowledgement.messageID ?? acknowledgement.sid
    }

    /// `Retry-After` in delay-seconds (RFC 9110 §10.2.3). An HTTP-date is not read: the
    /// dispatcher's own backoff applies instead.
    static func retryDelay(_ header: String) -> Duration? {
        let text = header.trimmingPrefix(" ")
        guard let seconds = Int(text), seconds >= 0 else { return nil }
        return .seconds(min(seconds, 86_400))
    }

    /// The start of an error body, for `last_error`.
    private static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        let text = String(decoding: body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " ")
        return ": \(text)"
    }
}
