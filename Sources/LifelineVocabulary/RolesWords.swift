/// What an API key may do: each role may do what the ones before it may.
public enum APIKeyRole: String, Sendable, CaseIterable, Comparable {
    /// The organisation's portal backend, acting for an end user (resets, sign-in, opt-in).
    case portal
    /// Operators' tools: who is opted in, continuity events, the outbox.
    case `operator`
    /// Admins' tools: imports, settings, the SMS attribute, numbers, profiles.
    case admin

    private var rank: Int {
        switch self {
        case .portal: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (left: APIKeyRole, right: APIKeyRole) -> Bool { left.rank < right.rank }

    /// Whether holding this role lets one do what `needed` may: the one ladder, portal <
    /// operator < admin, for API keys and console accounts alike.
    public func includes(_ needed: APIKeyRole) -> Bool { self >= needed }
}

/// What a console account may do: operators see and run events and opt-in lookups; admins
/// also import, choose the SMS attribute, fix numbers and change settings.
public enum ConsoleRole: String, Sendable, CaseIterable {
    case `operator`
    case admin

    /// Its rung on the one role ladder that API keys climb too.
    public var level: APIKeyRole {
        switch self {
        case .operator: .operator
        case .admin: .admin
        }
    }

    /// Whether this role may do what `needed` may (admins what operators may).
    public func includes(_ needed: ConsoleRole) -> Bool { level.includes(needed.level) }
}
