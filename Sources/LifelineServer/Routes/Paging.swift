import FoundationEssentials
import Hummingbird
import LifelineService

/// One page of a listing: `limit` (1–1000, default 100) and the `cursor` the previous page gave.
///
/// A cursor is the last item's key (an email, an outbox id) wrapped so clients treat it as
/// opaque: base64url of the listing's name and the key. Paging by the key itself, never by an
/// offset, keeps pages stable while others write: no item is skipped or shown twice.
struct PageRequest {
    static let defaultLimit = 100
    static let maximumLimit = 1_000

    let listing: String
    let limit: Int
    /// The key after which this page starts; nil for the first page.
    let after: String?

    init(_ request: Request, listing: String) throws {
        self.listing = listing
        limit = try request.integer("limit", in: 1...Self.maximumLimit, default: Self.defaultLimit)
        after = try request.uri.queryParameters.get("cursor").map { try Self.key(in: $0, listing: listing) }
    }

    /// The key as a row id, for listings keyed by one.
    func afterIdentifier() throws -> Int64? {
        guard let after else { return nil }
        guard let id = Int64(after) else { throw Self.foreignCursor }
        return id
    }

    private static let foreignCursor = Problem(
        status: .badRequest, code: "usage",
        detail: "cursor is not one this listing gave; start again without it, then pass each page's next_cursor")

    /// The cursor for the page after one that ended at `key`; nil when the page was not full.
    func nextCursor(lastKey: String?, count: Int) -> String? {
        guard count == limit, let lastKey else { return nil }
        let base64 = Data((listing + ":" + lastKey).utf8).base64EncodedString()
        return String(base64.compactMap { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 == "=" ? nil : $0 })
    }

    private static func key(in cursor: String, listing: String) throws -> String {
        var base64 = String(cursor.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 })
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            text.hasPrefix(listing + ":")
        else { throw foreignCursor }
        return String(text.dropFirst(listing.count + 1))
    }

    /// The page: its items and the cursor for the next page (null on the last).
    func page<Item: Encodable & Sendable>(_ items: [Item], lastKey: String?) -> ItemsPage<Item> {
        ItemsPage(items: items, nextCursor: nextCursor(lastKey: lastKey, count: items.count))
    }
}
