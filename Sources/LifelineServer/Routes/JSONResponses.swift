import FoundationEssentials
import Hummingbird
import LifelineService

// The API's answers are typed: each route returns an `Encodable` struct (`ResponseEncodable`),
// written by the context's encoder. Keys are spelled by each type's `CodingKeys`, not by a
// global strategy: a strategy would also rewrite the keys of the maps the API returns (a
// user's attributes, named as the admin named them).

extension LifelineRequestContext {
    /// Every JSON answer's encoder: `/` is not escaped, so URLs read as they are.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }
}

/// An optional that is written as `null` when absent: the API's documents require such keys,
/// where Swift's synthesised encoding would leave them out.
@propertyWrapper
struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// A time as the API writes it: ISO 8601 in UTC, to the millisecond (the CLI's form).
struct APITime: Encodable, Sendable {
    let date: Date

    init(_ date: Date) {
        self.date = date
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(UTCTimestamp.string(from: date))
    }
}

/// An answer with a status other than 200 (201 Created, 202 Accepted).
struct StatusAnswer<Body: ResponseEncodable>: ResponseGenerator {
    let status: HTTPResponse.Status
    let body: Body

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try body.response(from: request, context: context)
        response.status = status
        return response
    }
}

/// A listing's page: its items and the cursor for the next page (null on the last).
struct ItemsPage<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let items: [Item]
    @Nullable var nextCursor: String?

    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }
}

/// A list that is never paged (a handful of settings, attributes, profiles).
struct Items<Item: Encodable & Sendable>: ResponseEncodable, Sendable {
    let items: [Item]
}
