/// Where an event is in its life: `draft` → `active` → `ended`, or `draft` → `cancelled`.
public enum EventState: String, Sendable, CaseIterable {
    case draft, active, ended, cancelled
}

/// Whether the outage was announced in advance.
public enum EventKind: String, Sendable, CaseIterable {
    case planned, unplanned
}

/// Where a monitoring trigger came from.
public enum TriggerSource: String, Sendable, CaseIterable {
    /// Prometheus Alertmanager's webhook (payload version 4), deduplicated by its groupKey.
    case alertmanager
    /// `POST /v1/triggers/{template}`: any other monitor, deduplicated by its own key.
    case generic
}
