/// What an API key may do. The first three form a ladder (each may do what the ones before it
/// may); the single-purpose roles stand apart: a provisioning key reaches the SCIM routes and
/// nothing else, and no other key reaches those; a trigger key likewise reaches only the
/// monitoring trigger routes.
public enum APIKeyRole: String, Sendable, CaseIterable {
    /// The organisation's portal backend, acting for an end user (resets, sign-in, opt-in).
    case portal
    /// Operators' tools: who is opted in, continuity events, the outbox.
    case `operator`
    /// Admins' tools: imports, settings, the SMS attribute, numbers, profiles.
    case admin
    /// An identity provider (Entra ID, Okta, …) pushing users and groups over SCIM 2.0.
    case provisioning
    /// A monitor (Alertmanager, Uptime Kuma, a script) drafting events from templates.
    case trigger

    /// The role's rung on the ladder; nil for a single-purpose role.
    private var rung: Int? {
        switch self {
        case .portal: 0
        case .operator: 1
        case .admin: 2
        case .provisioning, .trigger: nil
        }
    }

    /// Whether holding this role lets one do what `needed` may: on the ladder, portal <
    /// operator < admin, for API keys and console accounts alike; off it, only the role itself.
    public func includes(_ needed: APIKeyRole) -> Bool {
        guard let rung, let neededRung = needed.rung else { return self == needed }
        return rung >= neededRung
    }
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
