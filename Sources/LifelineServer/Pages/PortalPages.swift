import FoundationEssentials
import Hummingbird
import LifelineService

/// The personal portal: its home, and outage alerts for a signed-in user (their state, their
/// number masked, subscribe with the double opt-in SMS, unsubscribe at once).
struct PortalPages {
    let site: PageSite

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let site = site
        group.get { request, _ in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            if visit.signedIn != nil { return visit.redirect("/portal/alerts") }
            return visit.page(PortalHomeView(), title: "Personal portal")
        }
        group.get("alerts") { request, _ in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            guard let session = visit.signedIn else { return visit.redirect("/portal/sign-in") }
            let environment = site.environment
            let view: AlertsView
            do {
                let line = try await site.database.read { try ConsentService(environment).status(of: session.email).first }
                view = AlertsView(line, done: request.uri.queryParameters.get("done"))
            } catch ConsentFailure.noValidNumber {
                // The reason is worded for admins (and names their command); the user needs to
                // know only that there is no number to text, and who can add one.
                view = AlertsView(noNumber: true)
            }
            return visit.page(view, title: "Outage alerts")
        }
        group.post("alerts/subscribe") { request, _ in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            try visit.check(try await PageForm.read(request))
            guard let session = visit.signedIn else { return visit.redirect("/portal/sign-in") }
            let environment = site.environment
            let outcome = try await site.database.write {
                try ConsentService(environment).requestOptIn(email: session.email, source: .portal, actor: ActorName.portal.recorded)
            }
            let done =
                switch outcome {
                case .confirmationQueued, .confirmationResent: "sent"
                case .alreadyPending: "pending"
                case .alreadyOptedIn: "subscribed"
                }
            return visit.redirect("/portal/alerts?done=\(done)")
        }
        group.post("alerts/unsubscribe") { request, _ in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            try visit.check(try await PageForm.read(request))
            guard let session = visit.signedIn else { return visit.redirect("/portal/sign-in") }
            let environment = site.environment
            _ = try await site.database.write { try ConsentService(environment).withdraw(email: session.email, actor: ActorName.portal.recorded) }
            return visit.redirect("/portal/alerts?done=unsubscribed")
        }
    }
}

/// The portal's home.
struct PortalHomeView: PageView {
    static let template = "portal-home"
}

/// A user's outage alerts: their state, their number masked, and what they can do.
struct AlertsView: PageView {
    static let template = "portal-alerts"
    var noNumber = false
    var number = ""
    var stateNone = false
    var statePending = false
    var stateOptedIn = false
    var stateOptedOut = false
    var canSubscribe = false
    var canUnsubscribe = false
    var since: String?
    var notice: String?

    init(noNumber: Bool) {
        self.noNumber = noNumber
    }

    init(_ line: ConsentStatusLine?, done: String?) {
        number = MaskedNumber.text(line?.number)
        let state = line?.state ?? .none
        stateNone = state == .none
        statePending = state == .pending
        stateOptedIn = state == .optedIn
        stateOptedOut = state == .optedOut
        canSubscribe = state != .optedIn
        canUnsubscribe = state == .optedIn || state == .pending
        since = line?.since.map(PageTime.text)
        notice =
            switch done {
            case "sent": "We sent an SMS to your number. Reply YES to it to confirm."
            case "pending": "An SMS was sent a few minutes ago: reply YES to it. You can ask again in ten minutes."
            case "unsubscribed": "You are unsubscribed. You will get no outage alerts."
            case "subscribed": "You are already subscribed."
            default: nil
            }
    }
}

/// A number shown to the person it belongs to: only its last digits, so a glance at a shared
/// screen does not give it away.
enum MaskedNumber {
    static let shownDigits = 4

    static func text(_ number: String?) -> String {
        guard let number, number.count > shownDigits else { return "no number" }
        return "+" + String(repeating: "•", count: number.count - shownDigits) + number.suffix(shownDigits)
    }
}

/// A failure's message (a clause, as the CLI prints it) as a sentence on a page.
enum PageText {
    static func sentence(_ message: String) -> String {
        (message.first.map { String($0).uppercased() } ?? "") + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
    }
}

/// Times on pages: UTC, to the minute, the same for every viewer and every server.
enum PageTime {
    static func text(_ date: Date) -> String {
        let stamp = UTCTimestamp.string(from: date)
        return String(stamp.prefix(16)).replacing("T", with: " ") + " UTC"
    }
}
