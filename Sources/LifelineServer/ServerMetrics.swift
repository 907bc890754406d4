import Hummingbird
import LifelineService
import Metrics
import Prometheus

/// The server's metrics, through swift-metrics into one Prometheus registry that
/// `GET /metrics` writes out. Labels are only closed sets of words (a route's pattern, a
/// status, an outcome): never a number, an email or a code.
public enum ServerMetrics {
    /// The registry `/metrics` reads.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { name, labels in
            (names[name] ?? prometheusName(name), labels.map { (labelNames[$0.0] ?? prometheusName($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)
    }()

    /// Makes swift-metrics write into ``registry``; once per process, however often called.
    public static func bootstrap() {
        _ = bootstrapped
    }

    /// Hummingbird's request metrics under Lifeline's names.
    private static let names = [
        "hb.requests": "lifeline_http_requests_total",
        "hb.request.errors": "lifeline_http_request_errors_total",
        "http.server.request.duration": "lifeline_http_request_duration_seconds",
        "http.server.active_requests": "lifeline_http_active_requests",
    ]
    private static let labelNames = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status",
    ]

    /// Prometheus names allow letters, digits and underscores.
    private static func prometheusName(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    static func dispatched(_ summary: DispatchSummary) {
        for (outcome, count) in [
            ("sent", summary.sent), ("failed", summary.failed), ("retried", summary.retried), ("suppressed", summary.suppressed),
            ("expired", summary.expired), ("maybe_sent", summary.maybeSent),
        ] where count > 0 {
            Counter(label: "lifeline_dispatch_messages_total", dimensions: [("outcome", outcome)]).increment(by: count)
        }
        for (provider, count) in summary.sentBy where count > 0 {
            Counter(label: "lifeline_provider_sent_total", dimensions: [("provider", provider)]).increment(by: count)
        }
        if summary.failovers > 0 { Counter(label: "lifeline_provider_failovers_total").increment(by: summary.failovers) }
    }

    /// A code asked for: `purpose` (password_reset, login, …) and what became of the request.
    static func codeRequested(purpose: String, outcome: String) {
        Counter(label: "lifeline_code_requests_total", dimensions: [("purpose", purpose), ("outcome", outcome)]).increment()
    }

    /// A code checked, by outcome (approved, incorrect, expired, …).
    static func codeChecked(_ check: VerificationCheck) {
        Counter(label: "lifeline_code_checks_total", dimensions: [("outcome", check.name)]).increment()
    }

    /// An inbound SMS, by what it did (opted_out, confirmed, help, unknown_number, …).
    static func inbound(action: String) {
        Counter(label: "lifeline_inbound_messages_total", dimensions: [("action", action)]).increment()
    }

    /// `GET /metrics`, for operators' keys only: the outbox gauge read now, then everything in
    /// Prometheus's text format. Not open like `/livez`: the code counters move only for real
    /// accounts, so a stranger watching them while asking resets would learn who has one.
    static func add(
        to router: Router<LifelineRequestContext>, environment: LifelineEnvironment, database: Database, providers: ProviderChain?
    ) {
        let operators = router.group()
            .add(middleware: APIKeyMiddleware(environment: environment, database: database))
            .add(middleware: RequireRole(role: .operator))
        operators.get("metrics") { _, _ in
            let counts = try await database.read { try OutboxQueries(environment).countsByStatus() }
            for (status, count) in counts {
                Gauge(label: "lifeline_outbox_messages", dimensions: [("status", status.rawValue)]).record(count)
            }
            // Each provider: 1 while it takes traffic, 0 while its breaker keeps it out.
            for report in providers?.reports() ?? [] {
                Gauge(label: "lifeline_provider_up", dimensions: [("provider", report.name)]).record(report.health == .up ? 1 : 0)
                Gauge(label: "lifeline_provider_breaker_openings", dimensions: [("provider", report.name)]).record(report.openings)
            }
            var text: [UInt8] = []
            registry.emit(into: &text)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
    }
}
