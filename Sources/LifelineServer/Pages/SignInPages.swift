import Hummingbird
import LifelineService

/// Signing in to the portal or the console: the password, then (when the profile asks, and in
/// the console always) the code sent by SMS, then a new session token.
struct SignInPages {
    let site: PageSite
    let area: WebArea
    /// Where a signed-in visitor goes.
    let home: String

    /// Where a sign-in that began at an on-call notice's link goes back to: `?notice=TOKEN`
    /// rides along each step (the forms post to their own address) and only a well-formed
    /// token is taken, so the parameter cannot send anyone elsewhere.
    struct Return {
        let notice: String?

        init(_ request: Request, area: WebArea) {
            let token = request.uri.queryParameters.get("notice").map { String($0) }
            notice = area == .console && token.map(OnCallNotices.isLinkToken) == true ? token : nil
        }

        /// After signing in: the link, else the area's home.
        func path(home: String) -> String { notice.map { OnCallNotices.linkPath + $0 } ?? home }

        /// The query (`notice=…`) the next step's address carries, if any.
        var query: String? { notice.map { "notice=" + $0 } }
    }

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let (site, area, home) = (site, area, home)
        group.get("sign-in") { request, _ in
            let visit = try await PageVisit.begin(request, area: area, site: site)
            let back = Return(request, area: area)
            if visit.signedIn != nil { return visit.redirect(back.path(home: home)) }
            return visit.page(SignInView(fromNotice: back.notice != nil), title: "Sign in")
        }
        group.post("sign-in") { request, _ in
            var visit = try await PageVisit.begin(request, area: area, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            let email = form.text("email")
            let password = form["password"] ?? ""
            let back = Return(request, area: area)
            var view = SignInView(emailValue: email, fromNotice: back.notice != nil)
            if email.isEmpty { view.emailError = "Enter your email address." }
            if password.isEmpty { view.passwordError = "Enter your password." }
            if view.hasErrors { return visit.page(view, title: "Sign in", status: .unprocessableContent) }
            try site.limits.admit(email: email)
            let environment = site.environment
            let places = site.database.places
            let outcome =
                area == .console
                ? try await ConsoleAccounts(environment).signIn(email: email, password: password, on: places)
                : try await LoginService(environment).check(email: email, password: password, on: places)
            switch outcome {
            case .authenticated:
                return try await visit.signIn(email: email, stage: .signedIn, then: back.path(home: home))
            case .secondFactorRequired(let requestID, let newNumber):
                let query = [newNumber ? "number=new" : nil, back.query].compactMap { $0 }.joined(separator: "&")
                return try await visit.signIn(
                    email: email, stage: .secondFactor, loginRequestID: requestID,
                    then: "/\(area.rawValue)/sign-in/code" + (query.isEmpty ? "" : "?" + query))
            case .secondFactorUnavailable(let reason, _):
                view.formError = "Signing in needs a code by SMS, and none could be sent: \(reason)."
                return visit.page(view, title: "Sign in", status: .unprocessableContent)
            case .invalidCredentials:
                view.formError = "That email and password do not match an account" + (area == .console ? " with console access." : ".")
                return visit.page(view, title: "Sign in", status: .unprocessableContent)
            }
        }
        group.get("sign-in/code") { request, _ in
            let visit = try await PageVisit.begin(request, area: area, site: site)
            guard visit.session?.stage == .secondFactor else { return visit.redirect("/\(area.rawValue)/sign-in") }
            return visit.page(SignInCodeView(newNumber: request.uri.queryParameters.get("number") == "new"), title: "Enter your code")
        }
        group.post("sign-in/code") { request, _ in
            var visit = try await PageVisit.begin(request, area: area, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            guard let session = visit.session, session.stage == .secondFactor, let requestID = session.loginRequestID else {
                return visit.redirect("/\(area.rawValue)/sign-in")
            }
            let code = form.text("code")
            let environment = site.environment
            let verification = try await site.database.write { try LoginService(environment).verify(requestID: requestID, code: code) }
            ServerMetrics.codeChecked(verification.check)
            switch CodeCheckWords(verification.check) {
            case .approved:
                return try await visit.signIn(email: session.email, stage: .signedIn, then: Return(request, area: area).path(home: home))
            case .tryAgain(let message):
                return visit.page(SignInCodeView(codeError: message), title: "Enter your code", status: .unprocessableContent)
            case .startAgain(let message):
                try await visit.signOut()
                return visit.page(SignInView(formError: message), title: "Sign in", status: .unprocessableContent)
            }
        }
        group.post("sign-out") { request, _ in
            var visit = try await PageVisit.begin(request, area: area, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            try await visit.signOut()
            return visit.redirect("/\(area.rawValue)")
        }
    }
}

/// The sign-in form, filled again with what needs fixing.
struct SignInView: PageView {
    static let template = "sign-in"
    var emailValue = ""
    /// Signing in to follow an on-call notice's link.
    var fromNotice = false
    var emailError: String?
    var passwordError: String?
    var formError: String?

    var hasErrors: Bool { emailError != nil || passwordError != nil || formError != nil }
}

/// The second step: the code sent by SMS (to a number new since the last sign-in, it says so).
struct SignInCodeView: PageView {
    static let template = "sign-in-code"
    var newNumber = false
    var codeError: String?
}

/// A code check, as a page words it: go on, type it again, or start over.
enum CodeCheckWords: Equatable {
    case approved
    case tryAgain(String)
    case startAgain(String)

    init(_ check: VerificationCheck) {
        switch check {
        case .approved: self = .approved
        case .incorrect(let left):
            self = .tryAgain("That code is not right. \(left) \(left == 1 ? "try is" : "tries are") left.")
        case .expired: self = .startAgain("The code expired. Start again to get a new one.")
        case .maxAttemptsReached: self = .startAgain("Too many wrong codes. Start again to get a new one.")
        case .alreadyUsed: self = .startAgain("That code was already used. Start again to get a new one.")
        case .superseded: self = .startAgain("A newer code was sent; that one no longer works. Start again.")
        case .notFound: self = .startAgain("That request is not known. Start again.")
        }
    }
}
