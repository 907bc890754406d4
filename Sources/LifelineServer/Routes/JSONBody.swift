import Hummingbird
import LifelineService

/// A verification's answer as JSON: `status` (the CLI's word), and `attempts_left` after a wrong code.
enum VerificationAnswer {
    static func fields(_ check: VerificationCheck) -> [(String, JSONBody.Value)] {
        var fields: [(String, JSONBody.Value)] = [("status", .text(check.name))]
        if case .incorrect(let left) = check { fields.append(("attempts_left", .integer(left))) }
        return fields
    }
}

/// Small JSON bodies written by hand, keys in the order given.
enum JSONBody {
    enum Value: Sendable {
        case text(String)
        case integer(Int)
        case boolean(Bool)
        case null
        /// JSON already written: a nested object or array.
        case json(String)

        /// An array of JSON texts.
        static func array(_ elements: [String]) -> Value { .json("[" + elements.joined(separator: ",") + "]") }
    }

    static func response(_ fields: KeyValuePairs<String, Value>, status: HTTPResponse.Status = .ok) -> Response {
        response(fields.map { ($0.key, $0.value) }, status: status)
    }

    static func response(_ fields: [(String, Value)], status: HTTPResponse.Status = .ok) -> Response {
        raw(object(fields), status: status)
    }

    /// A JSON object's text.
    static func object(_ fields: [(String, Value)]) -> String {
        "{" + fields.map { key, value in
            let rendered: String =
                switch value {
                case .text(let text): JSONString.quoted(text)
                case .integer(let number): String(number)
                case .boolean(let flag): flag ? "true" : "false"
                case .null: "null"
                case .json(let text): text
                }
            return JSONString.quoted(key) + ":" + rendered
        }.joined(separator: ",") + "}"
    }

    static func raw(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
