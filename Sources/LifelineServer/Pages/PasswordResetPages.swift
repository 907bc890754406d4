import Hummingbird
import LifelineService
import LifelineStore

/// The portal's forgotten-password flow: email, captcha and delivery method; the code; a new
/// password that meets the displayed policy. Every email gets the same pages, so the flow
/// never tells whether an account exists or what its profile allows.
struct PasswordResetPages {
    let site: PageSite

    func add(to group: RouterGroup<LifelineRequestContext>) {
        let site = site
        group.get("reset") { request, context in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            return try await Self.startPage(visit, site: site, client: context)
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
                    ["email_value": email, "email_error": "Enter the email address you sign in with.", "solved": [challenge, nonce]],
                    status: .unprocessableContent, client: context)
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
                    visit, site: site, ["email_value": email, "captcha_error": PageText.sentence(failure.description)],
                    status: .unprocessableContent, client: context, email: email)
            }
            try site.limits.admit(email: email)
            let requestID = try await site.database.write { try PasswordResetService(environment).start(email: email, method: method) }
            ServerMetrics.codeRequested(purpose: VerificationPurpose.passwordReset.rawValue, outcome: "accepted")
            return visit.page(
                "reset-code", title: "Enter your code",
                ["request_id": requestID, "notice": PasswordResetService.uniformAnswer, "by_sms": method == .sms])
        }
        // A reset an admin started (`admins grant --send-reset`) is finished here: the link names
        // the request, and the code texted to the user's phone is still needed. Any id gets this
        // same page, so it tells nothing.
        group.get("reset/code") { request, _ in
            let visit = try await PageVisit.begin(request, area: .portal, site: site)
            let requestID = request.uri.queryParameters.get("request") ?? ""
            guard !requestID.isEmpty, requestID.unicodeScalars.count <= 100 else { return visit.redirect("/portal/reset") }
            return visit.page("reset-code", title: "Enter your code", ["request_id": requestID, "by_sms": true])
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
                return try await Self.passwordPage(visit, site: site, requestID: requestID)
            case .tryAgain(let message):
                return visit.page(
                    "reset-code", title: "Enter your code", ["request_id": requestID, "code_error": message],
                    status: .unprocessableContent)
            case .startAgain(let message):
                return try await Self.startPage(visit, site: site, ["form_error": message], status: .unprocessableContent, client: context)
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
                    visit, site: site, requestID: requestID, ["confirmation_error": "The two passwords are not the same."])
            }
            let environment = site.environment
            do {
                try await PasswordResetService(environment).complete(requestID: requestID, password: password, on: site.database.places)
            } catch AccountFailure.passwordRejected(let broken) {
                return try await Self.passwordPage(
                    visit, site: site, requestID: requestID, ["password_error": true, "broken": broken.map(\.description)])
            } catch AccountFailure.emptyPassword {
                return try await Self.passwordPage(visit, site: site, requestID: requestID, ["password_error": true, "broken": ["Enter a new password."]])
            } catch let failure as AccountFailure {
                return try await Self.startPage(
                    visit, site: site, ["form_error": PageText.sentence(failure.message)], status: .unprocessableContent, client: context)
            }
            return visit.page("reset-done", title: "Password changed")
        }
    }

    /// Reset by a method some profile allows; which one this user's profile allows stays unsaid.
    static func offeredMethods(_ site: PageSite) async throws -> [MessageChannel] {
        let environment = site.environment
        return try await site.database.read { try PasswordResetService(environment).offeredMethods() }
    }

    /// The first page; its captcha is harder for a client address (or the email typed) that
    /// keeps asking.
    static func startPage(
        _ visit: PageVisit, site: PageSite, _ values: [String: Any] = [:], status: HTTPResponse.Status = .ok,
        client: LifelineRequestContext, email: String? = nil
    ) async throws -> Response {
        var values = values
        if let solved = values.removeValue(forKey: "solved") as? [String], solved.count == 2, !solved[1].isEmpty {
            // Checked when the form comes back; a forged one fails there like any other.
            values["challenge"] = solved[0]
            values["nonce"] = solved[1]
        } else {
            let signer = try await site.signer()
            let environment = site.environment
            let extraBits = site.captchaPressure.extraBits(
                recording: [CaptchaPressure.key(address: client)], peeking: try email.map { [try CaptchaPressure.key(email: $0)] } ?? [])
            let challenge = try await site.database.read { try ProofOfWork(environment, signer: signer).issue(extraBits: extraBits) }
            values["challenge"] = challenge.text
            values["difficulty"] = challenge.difficulty
        }
        let methods = try await offeredMethods(site)
        values["methods"] = methods.enumerated().map { index, method in
            [
                "value": method.rawValue, "label": method == .sms ? "A text message (SMS) to my phone" : "An email",
                "checked": index == 0,
            ] as [String: Any]
        }
        values["choose_method"] = methods.count > 1
        return visit.page("reset-start", title: "Forgot your password?", values, status: status)
    }

    static func passwordPage(
        _ visit: PageVisit, site: PageSite, requestID: String, _ values: [String: Any] = [:]
    ) async throws -> Response {
        let environment = site.environment
        let policy = try await site.database.read { try SettingsService(environment).passwordPolicy() }
        var values = values
        values["request_id"] = requestID
        values["requirements"] = policy.requirements
        return visit.page(
            "reset-password", title: "Choose a new password", values, status: PageVisit.hasErrors(values) ? .unprocessableContent : .ok)
    }
}
