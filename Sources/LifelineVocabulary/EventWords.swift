/// Where an event is in its life: `draft` → `active` → `ended`, or `draft` → `cancelled`.
public enum EventState: String, Sendable, CaseIterable {
    case draft, active, ended, cancelled
}

/// Whether the outage was announced in advance.
public enum EventKind: String, Sendable, CaseIterable {
    case planned, unplanned
}
