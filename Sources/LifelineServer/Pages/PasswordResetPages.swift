import Hummingbird
import LifelineService

/// The portal's forgotten-password flow: email, captcha and delivery method; the code; a new
/// password that meets the displayed policy. Every email gets the same pages, so the flow
/// never tells whether an account exists or what its profile allows.
struct PasswordResetPages {
    let site: PageSite

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let site = site
        group.get("reset") { request, context in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            return try await Self.startPage(visit, site: site, ResetStartView(), client: context)
        }
        group.post("reset") { request, context in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            let email = form.text("email")
            let methods = try await Self.offeredMethods(site)
            let method = methods.first { $0.rawValue == form["method"] } ?? methods[0]
            let challenge = form["captcha_challenge"] ?? ""
            let nonce = form["captcha_nonce"] ?? ""
            guard !email.isEmpty, email.contains("@") else {
                // The captcha is not spent on a mistyped email: the page keeps the solved one.
                return try await Self.startPage(
                    visit, site: site,
                    ResetStartView(emailValue: email, emailError: "Enter the email address you sign in with."),
                    solved: (challenge, nonce), status: .unprocessableContent, client: context)
            }
            let signer = try await site.signer()
            let environment = site.environment
            let extraBits = site.captchaPressure.extraBits(recording: [try CaptchaPressure.key(email: email)])
            do {
                try await site.database.write {
                    try ProofOfWork(environment, signer: signer).accept(challenge: challenge, nonce: nonce, extraBits: extraBits)
                }
            } catch let failure as ProofOfWorkFailure {
                return try await Self.startPage(
                    visit, site: site, ResetStartView(emailValue: email, captchaError: PageText.sentence(failure.description)),
                    status: .unprocessableContent, client: context, email: email)
            }
            try site.limits.admit(email: email)
            let requestID = try await site.database.write { try PasswordResetService(environment).start(email: email, method: method) }
            ServerMetrics.codeRequested(purpose: VerificationPurpose.passwordReset.rawValue, outcome: "accepted")
            return visit.page(
                ResetCodeView(requestID: requestID, bySMS: method == .sms, notice: PasswordResetService.uniformAnswer),
                title: "Enter your code")
        }
        // A reset an admin started (`admins grant --send-reset`) is finished here: the link names
        // the request, and the code texted to the user's phone is still needed. Any id gets this
        // same page, so it tells nothing.
        group.get("reset/code") { request, _ in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            let requestID = request.uri.queryParameters.get("request") ?? ""
            guard !requestID.isEmpty, requestID.unicodeScalars.count <= 100 else { return visit.redirect("/portal/reset") }
            return visit.page(ResetCodeView(requestID: requestID, bySMS: true), title: "Enter your code")
        }
        group.post("reset/verify") { request, context in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            let requestID = form.text("request_id")
            let code = form.text("code")
            let environment = site.environment
            let check = try await site.database.write { try PasswordResetService(environment).verify(requestID: requestID, code: code) }
            ServerMetrics.codeChecked(check)
            switch CodeCheckWords(check) {
            case .approved:
                return try await Self.passwordPage(visit, site: site, ResetPasswordView(requestID: requestID))
            case .tryAgain(let message):
                return visit.page(
                    ResetCodeView(requestID: requestID, codeError: message), title: "Enter your code", status: .unprocessableContent)
            case .startAgain(let message):
                return try await Self.startPage(
                    visit, site: site, ResetStartView(formError: message), status: .unprocessableContent, client: context)
            }
        }
        group.post("reset/complete") { request, context in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            let form = try await PageForm.read(request)
            try visit.check(form)
            let requestID = form.text("request_id")
            let password = form["password"] ?? ""
            guard password == form["confirmation"] ?? "" else {
                return try await Self.passwordPage(
                    visit, site: site, ResetPasswordView(requestID: requestID, confirmationError: "The two passwords are not the same."))
            }
            let environment = site.environment
            do {
                try await PasswordResetService(environment).complete(requestID: requestID, password: password, on: site.database.places)
            } catch AccountFailure.passwordRejected(let broken) {
                return try await Self.passwordPage(
                    visit, site: site, ResetPasswordView(requestID: requestID, passwordError: true, broken: broken.map(\.description)))
            } catch AccountFailure.emptyPassword {
                return try await Self.passwordPage(
                    visit, site: site, ResetPasswordView(requestID: requestID, passwordError: true, broken: ["Enter a new password."]))
            } catch let failure as AccountFailure {
                return try await Self.startPage(
                    visit, site: site, ResetStartView(formError: PageText.sentence(failure.message)), status: .unprocessableContent,
                    client: context)
            }
            return visit.page(ResetDoneView(), title: "Password changed")
        }
    }

    /// Reset by a method some profile allows; which one this user's profile allows stays unsaid.
    static func offeredMethods(_ site: PageSite) async throws -> [MessageChannel] {
        let environment = site.environment
        return try await site.database.read { try PasswordResetService(environment).offeredMethods() }
    }

    /// The first page; its captcha is harder for a client address (or the email typed) that
    /// keeps asking. A captcha the visitor already `solved` is kept (checked when the form
    /// comes back; a forged one fails there like any other).
    static func startPage(
        _ visit: PageVisit, site: PageSite, _ view: ResetStartView, solved: (challenge: String, nonce: String)? = nil,
        status: HTTPResponse.Status = .ok, client: LifelineRequestContext, email: String? = nil
    ) async throws -> Response {
        var view = view
        if let solved, !solved.nonce.isEmpty {
            view.challenge = solved.challenge
            view.nonce = solved.nonce
        } else {
            let signer = try await site.signer()
            let environment = site.environment
            let extraBits = site.captchaPressure.extraBits(
                recording: [CaptchaPressure.key(address: client)], peeking: try email.map { [try CaptchaPressure.key(email: $0)] } ?? [])
            let challenge = try await site.database.read { try ProofOfWork(environment, signer: signer).issue(extraBits: extraBits) }
            view.challenge = challenge.text
            view.difficulty = challenge.difficulty
        }
        let methods = try await offeredMethods(site)
        view.methods = methods.enumerated().map { index, method in
            ResetStartView.Method(
                value: method.rawValue, label: method == .sms ? "A text message (SMS) to my phone" : "An email", checked: index == 0)
        }
        view.chooseMethod = methods.count > 1
        return visit.page(view, title: "Forgot your password?", status: status)
    }

    static func passwordPage(_ visit: PageVisit, site: PageSite, _ view: ResetPasswordView) async throws -> Response {
        let environment = site.environment
        let policy = try await site.database.read { try SettingsService(environment).passwordPolicy() }
        var view = view
        view.requirements = policy.requirements
        return visit.page(view, title: "Choose a new password", status: view.hasErrors ? .unprocessableContent : .ok)
    }
}

/// The reset's first page: the email, the captcha, and the delivery method when there is a choice.
struct ResetStartView: PageView {
    static let template = "reset-start"
    struct Method: PageValues {
        let value: String
        let label: String
        let checked: Bool
    }
    var emailValue = ""
    var emailError: String?
    var captchaError: String?
    var formError: String?
    var challenge = ""
    var nonce: String?
    var difficulty: Int?
    var methods: [Method] = []
    var chooseMethod = false
}

/// The code, sent by SMS or email; the same page whatever the email was.
struct ResetCodeView: PageView {
    static let template = "reset-code"
    let requestID: String
    var bySMS = false
    var codeError: String?
    var notice: String?
}

/// The new password, with the policy it must meet and what it broke.
struct ResetPasswordView: PageView {
    static let template = "reset-password"
    let requestID: String
    var passwordError = false
    var broken: [String] = []
    var confirmationError: String?
    var requirements: [String] = []

    var hasErrors: Bool { passwordError || confirmationError != nil }
}

/// The password is changed.
struct ResetDoneView: PageView {
    static let template = "reset-done"
}
