import Hummingbird
import LifelineService
import LifelineStore

/// Signing in to the portal or the console: the password, then (when the profile asks, and in
/// the console always) the code sent by SMS, then a new session token.
struct SignInPages {
    let site: PageSite
    let area: WebArea
    /// Where a signed-in visitor goes.
    let home: String

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let (site, area, home) = (site, area, home)
        group.get("sign-in") { request, _ in
            let visit = try await PageVisit.begin(request, area: area, site: site)
            if visit.signedIn != nil { return visit.redirect(home) }
            return visit.page("sign-in", title: "Sign in")
        }
        group.post("sign-in") { request, _ in
            var visit = try await PageVisit.begin(request, area: area, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            let email = form.text("email")
            let password = form["password"] ?? ""
            var errors: [String: Any] = ["email_value": email]
            if email.isEmpty { errors["email_error"] = "Enter your email address." }
            if password.isEmpty { errors["password_error"] = "Enter your password." }
            if PageVisit.hasErrors(errors) { return visit.page("sign-in", title: "Sign in", errors, status: .unprocessableContent) }
            try site.limits.admit(email: email)
            let environment = site.environment
            let places = site.database.places
            let outcome =
                area == .console
                ? try await ConsoleAccounts(environment).signIn(email: email, password: password, on: places)
                : try await LoginService(environment).check(email: email, password: password, on: places)
            switch outcome {
            case .authenticated:
                return try await visit.signIn(email: email, stage: .signedIn, then: home)
            case .secondFactorRequired(let requestID, let newNumber):
                return try await visit.signIn(
                    email: email, stage: .secondFactor, loginRequestID: requestID,
                    then: "/\(area.rawValue)/sign-in/code" + (newNumber ? "?number=new" : ""))
            case .secondFactorUnavailable(let reason, _):
                errors["form_error"] = "Signing in needs a code by SMS, and none could be sent: \(reason)."
                return visit.page("sign-in", title: "Sign in", errors, status: .unprocessableContent)
            case .invalidCredentials:
                errors["form_error"] = "That email and password do not match an account" + (area == .console ? " with console access." : ".")
                return visit.page("sign-in", title: "Sign in", errors, status: .unprocessableContent)
            }
        }
        group.get("sign-in/code") { request, _ in
            let visit = try await PageVisit.begin(request, area: area, site: site)
            guard visit.session?.stage == .secondFactor else { return visit.redirect("/\(area.rawValue)/sign-in") }
            return visit.page(
                "sign-in-code", title: "Enter your code", ["new_number": request.uri.queryParameters.get("number") == "new"])
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
                return try await visit.signIn(email: session.email, stage: .signedIn, then: home)
            case .tryAgain(let message):
                return visit.page("sign-in-code", title: "Enter your code", ["code_error": message], status: .unprocessableContent)
            case .startAgain(let message):
                try await visit.signOut()
                return visit.page("sign-in", title: "Sign in", ["form_error": message], status: .unprocessableContent)
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
