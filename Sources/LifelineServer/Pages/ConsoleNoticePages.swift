import FoundationEssentials
import Hummingbird
import LifelineService
import LifelineStore

/// On-call notices in the console: the link a notice texted (sign-in first, then straight to
/// the draft's confirmation), dismissing an event's notices, and each account's own on-call
/// switch on the console's home.
struct ConsoleNoticePages {
    let site: PageSite

    func add(to console: ConsoleRouter) {
        let site = site
        let environment = site.environment
        let database = site.database
        let publicURL = site.publicURL
        // Not behind `console.get`: a visitor not signed in is sent to sign in with the link's
        // token, so the sign-in ends here rather than at the console's home.
        console.group.get("notice/:token") { request, context in
            let visit = try await PageVisit.begin(request, area: .console, site: site)
            let token = context.parameters.get("token") ?? ""
            guard let session = try visit.console(.operator) else {
                guard OnCallNotices.isLinkToken(token) else { return visit.redirect(visit.signInPath) }
                return visit.redirect(visit.signInPath + "?notice=" + token)
            }
            let actor = ActorName.console(email: session.email).recorded
            let outcome = try await database.write { try OnCallNotices(environment, publicURL: publicURL).follow(token: token, by: actor) }
            let view: NoticeLinkView
            switch outcome {
            case .confirm(let eventID):
                return visit.redirect("/console/events/\(eventID)/start")
            case .alreadyUsed(let eventID, let at, let by):
                view = NoticeLinkView(
                    message: "This link was already used, at \(PageTimeText.minute(at)) UTC by \(by). Each link works once.", eventID: eventID)
            case .expired(let eventID):
                view = NoticeLinkView(message: "This link has expired: links work for 24 hours.", eventID: eventID)
            case .decided(let eventID, let state):
                view = NoticeLinkView(message: "Someone already decided: the event is \(state.rawValue).", eventID: eventID)
            case .invalid:
                view = NoticeLinkView(message: "This link is not one Lifeline made, or it was altered.", eventID: nil)
            }
            return visit.page(view, title: "On-call link", status: .ok)
        }
        console.post("events/:id/dismiss", role: .operator) { _, visit, session, context in
            let id = try EventController.eventID(context)
            let actor = ActorName.console(email: session.email).recorded
            _ = try await database.write { try OnCallNotices(environment, publicURL: publicURL).dismiss(eventID: id, by: actor) }
            return visit.redirect("/console/events/\(id)")
        }
        console.post("on-call", role: .operator) { form, visit, session, _ in
            let onCall = form.text("on_call") == "on"
            try await database.write { try ConsoleAccounts(environment).setOnCall(email: session.email, onCall) }
            return visit.redirect("/console")
        }
    }
}

/// Where a notice's link led when it could not lead to the confirmation.
struct NoticeLinkView: PageView {
    static let template = "console-notice"
    let message: String
    let eventID: Int64
    let hasEvent: Bool

    init(message: String, eventID: Int64?) {
        self.message = message
        self.eventID = eventID ?? 0
        hasEvent = eventID != nil
    }
}

/// The event page's part about on-call notices, for an event monitoring drafted: rounds sent,
/// the automatic start's countdown, and the dismissal.
struct OnCallPanel: PageValues {
    let eventID: Int64
    let status: String
    let canDismiss: Bool
    /// Whether the event starts by itself; `autoStartAt`, `autoStartLeft` and the countdown's
    /// end (`autoStartEpoch`, seconds since 1970) are then its time.
    let hasAutoStart: Bool
    let autoStartAt: String
    let autoStartLeft: String
    let autoStartEpoch: Int64

    init(_ notice: NoticeRecord, state: EventState, now: Date) {
        eventID = notice.eventID
        let rounds = notice.rounds == 1 ? "1 round of notices sent" : "\(notice.rounds) rounds of notices sent"
        let open = notice.closedAt == nil && state == .draft
        if open {
            status = "\(rounds); the next at \(PageTimeText.minute(notice.nextAt)) UTC, until someone starts, dismisses or cancels the event."
        } else {
            let why =
                switch notice.closedReason ?? state.rawValue {
                case "dismissed": "dismissed"
                case "active", "started": "stopped: the event started"
                case "ended": "stopped: the event ended"
                case "cancelled": "stopped: the event was cancelled"
                case let other: "stopped (\(other))"
                }
            status = "\(rounds); \(why)."
        }
        canDismiss = open
        if open, let at = notice.autoStartAt {
            hasAutoStart = true
            autoStartAt = PageTimeText.minute(at) + " UTC"
            autoStartLeft = PaceText.rough(.seconds(max(0, at.timeIntervalSince(now))))
            autoStartEpoch = Int64(at.timeIntervalSince1970.rounded(.down))
        } else {
            hasAutoStart = false
            autoStartAt = ""
            autoStartLeft = ""
            autoStartEpoch = 0
        }
    }
}
