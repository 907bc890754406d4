import Foundation
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineServer
@testable import LifelineService

/// Every page template reads only values its typed view has: a field renamed on either side
/// fails here, not on a page in production.
struct PageViewTests {
    /// One view of every page, with every list non-empty and every optional set, so each row
    /// type's properties are seen too.
    private func samples(_ summary: EventSummary) -> [any PageView] {
        var imported = ImportSummary()
        imported.rejected = 3
        imported.firstRejections = [ImportRejection(line: 2, reason: "bad email", fields: [])]
        imported.numbersLost = 1
        imported.consoleAccountsLosingNumber = ["ann@example.com"]
        var importResult = ImportResultView(imported, options: ImportOptions())
        importResult.uploadID = "abc"
        return [
            ErrorView(detail: "d", home: "/portal"),
            PortalHomeView(),
            ConsoleHomeView(onCall: true),
            NoticeLinkView(message: "m", eventID: 1),
            AlertsView(nil, done: "sent"),
            SignInView(emailValue: "a", fromNotice: true, emailError: "e", passwordError: "p", formError: "f"),
            SignInCodeView(newNumber: true, codeError: "c"),
            ResetStartView(
                emailValue: "a", emailError: "e", captchaError: "c", formError: "f", challenge: "x", nonce: "n", difficulty: 10,
                methods: [.init(value: "sms", label: "SMS", checked: true)], chooseMethod: true),
            ResetCodeView(requestID: "r", bySMS: true, codeError: "c", notice: "n"),
            ResetPasswordView(requestID: "r", passwordError: true, broken: ["b"], confirmationError: "c", requirements: ["q"]),
            ResetDoneView(),
            EventsView(events: [.init(id: 1, name: "n", state: "draft", group: "g", created: "t")], none: false),
            NewEventView(
                nameValue: "n", startValue: "s", endValue: "e", groupValue: "g", kindValue: "planned", nameError: "x",
                startError: "x", endError: "x", formError: "x", groups: [.init(name: "g", members: 1, selected: true)], planned: true,
                placeholders: "{name}"),
            EventView(
                event: summary, deliveries: [.init(alert: "start", status: "queued", count: 1, maybeSent: 0)], noDeliveries: false,
                pace: "p", liveParts: "1,1", queuedNotice: "q", history: [.init(at: "t", actor: "a", action: "created", detail: "d", hasDetail: true)],
                resolvedNotice: "r",
                responses: ResponsesPanel(
                    EventResponses(
                        counts: AnswerCounts(
                            eventID: 1, question: "q", tallies: [.init(number: 1, answer: "a", count: 1)], noAnswer: 1, undelivered: 0),
                        remindable: 1, reminders: 0), state: .active),
                onCall: OnCallPanel(
                    NoticeRecord(
                        eventID: 1, firstAt: Date(), nextAt: Date(), rounds: 1, autoStartAt: Date().addingTimeInterval(600), closedAt: nil,
                        closedReason: nil), state: .draft, now: Date())),
            EventConfirmView(event: summary, action: "start", question: "q", button: "b", texts: true, idempotencyKey: "k"),
            OptInsView(
                who: "w", summary: [.init(label: "l", count: 1)], groups: [.init(name: "g", selected: true)],
                lines: [.init(email: "e", number: "n", state: "s", since: "t", source: "o", canOptOut: true)],
                history: [.init(at: "t", email: "e", number: "n", state: "s", source: "o", actor: "a", evidence: "v")], found: true,
                whoError: "x", notice: "n"),
            SMSDashboardView(
                defaultCountry: "GB", defaultCountryError: "x", attribute: "mobile", noAttribute: false, status: "",
                attributes: [.init(name: "mobile", count: 1, selected: true)], filters: [.init(label: "all", query: "?", current: true)],
                country: "GB", countryError: "x", counts: [.init(name: "valid", value: 1)],
                rows: [.init(email: "e", value: "v", verdict: "valid", detail: "d", shared: "")], matched: 1, truncated: true,
                fixable: 1, canFix: true, fixableNoun: "number", notice: "n"),
            SMSFixView(fixes: [.init(email: "e", before: "b", after: "a", detail: "d")], count: 1, noun: "number", country: "GB", none: false),
            ImportFormView(map: "m", fileError: "f", mapError: "e"),
            DirectorySourcesView(
                map: "m", isDefaultMap: true, mapError: "e",
                sync: .init(when: "t", actor: "a", outcome: "o", failed: false, counts: "c", detail: "d", hasDetail: true), noSync: false,
                changes: [.init(when: "t", source: "scim", actor: "a", subject: "s", summary: "m")], noChanges: false, notice: "n"),
            importResult,
        ]
    }

    /// The names a view and everything inside it have, as Swift spells them.
    private func propertyNames(of value: Any) -> Set<String> {
        var names: Set<String> = []
        for child in Mirror(reflecting: value).children {
            if let label = child.label { names.insert(label) }
            names.formUnion(propertyNames(of: child.value))
        }
        return names
    }

    /// The keys a template reads (not partials, comments or `.`), with the partials it includes.
    private func keys(of template: String) -> Set<String> {
        let tags = template.matches(of: #/\{\{([#^\/]?)([a-z_][a-z0-9_]*)\}\}/#)
        return Set(tags.map { String($0.output.2) })
    }

    @Test(arguments: TestEngine.allCases) func everyTemplateReadsOnlyWhatItsViewHas(engine: TestEngine) throws {
        try withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            let environment = fixture.environment
            try Data("email,groups\nann@example.com,Staff\n".utf8).write(to: URL(fileURLWithPath: folder + "/groups.csv"))
            _ = try DirectoryImporter(environment).importUsers(from: .file(path: folder + "/groups.csv"), path: "groups.csv", options: ImportOptions())
            let service = EventService(environment)
            let id = try service.create(EventDraft(name: "Outage", group: "Staff", startMessage: "{event} began", endMessage: "Over"), by: "test")
            let summary = EventSummary(try service.show(id: id).event, preview: try service.preview(id: id))
            var templateDraft = TemplateDraft(name: "Mail down", group: "Staff", startMessage: "Down", endMessage: "Up")
            templateDraft.question = "Reply 1 or 2"
            templateDraft.answers = ["a", "b"]
            let template = try EventTemplates(environment).create(templateDraft)
            let draft = EventTemplates(environment).eventDraft(from: template)
            var templateForm = TemplateFormView(template)
            templateForm.groups = [.init(name: "Staff", members: 1, selected: true)]
            for field in TemplateDraft.Field.allCases { templateForm.show("x", at: field) }
            templateForm.formError = "f"
            let templateViews: [any PageView] = [
                TemplatesView([TemplatesView.Row(template)]), templateForm,
                TemplateStartView(template, draft: draft, preview: try service.preview(of: draft)),
            ]

            let files = Dictionary(uniqueKeysWithValues: WebFiles.embeddedFiles.filter { $0.name.hasSuffix(".mustache") }.map {
                (String($0.name.dropLast(".mustache".count)), $0.text)
            })
            let layout = propertyNames(of: PageLayout(area: .console, csrf: "c", signedInEmail: "e", isAdmin: true))
                .union(["title", "formError", "notice"])
            let shared = keys(of: files["header", default: ""]).union(keys(of: files["footer", default: ""]))
            var viewed: Set<String> = ["header", "footer"]
            for view in samples(summary) + templateViews {
                let template = type(of: view).template
                viewed.insert(template)
                let text = try #require(files[template], "no template \(template)")
                let known = propertyNames(of: view).union(layout)
                let unknown = keys(of: text).union(shared).filter { !known.contains(PageValueLookup.camelCase($0)) }
                #expect(unknown.isEmpty, "\(template) reads \(unknown.sorted()), which \(type(of: view)) does not have")
            }
            #expect(Set(files.keys).subtracting(viewed).isEmpty, "templates without a view: \(Set(files.keys).subtracting(viewed).sorted())")
        }
    }

    @Test func aCheckedServerRefusesAPageThatAsksForAValueItsViewLacks() {
        let context = PageContext(
            view: ErrorView(detail: "d", home: "/portal"), layout: PageLayout(area: .portal, csrf: "", signedInEmail: nil, isAdmin: false),
            title: "t")
        #expect(context.child(named: "detail") as? String == "d")
        #expect(context.child(named: "portal") as? Bool == true)
        #expect(context.child(named: "form_error") == nil && context.unknownKeys.isEmpty, "a nil optional is absent, not unknown")
        #expect(context.child(named: "detial") == nil)
        #expect(context.unknownKeys == ["detial"])
    }

    @Test func keysSpellTheirPropertiesInSwiftsCase() {
        #expect(PageValueLookup.camelCase("start_error") == "startError")
        #expect(PageValueLookup.camelCase("request_id") == "requestID")
        #expect(PageValueLookup.camelCase("by_sms") == "bySMS")
        #expect(PageValueLookup.camelCase("none") == "none")
    }
}

/// The event page's "how long until everyone has it".
struct PaceTextTests {
    private let preview = EventPreview(
        eventID: 1, recipients: 3000, skipped: [:], startMessage: SMSLength(body: String(repeating: "a", count: 200)),
        endMessage: SMSLength(body: "over"), measuredWithName: nil)

    private func deliveries(_ queued: Int, sent: Int = 0) -> [AlertDeliveries] {
        [
            AlertDeliveries(alert: "start", status: .queued, count: queued, maybeSent: 0),
            AlertDeliveries(alert: "start", status: .sent, count: sent, maybeSent: 0),
        ]
    }

    @Test func timeIsThePartsStillToSendOverThePace() {
        // 3,000 two-part messages at 10 parts a second: 600 s.
        let line = PaceText.line(waiting: deliveries(3000), parts: AlertParts(preview), pace: .paced(provider: "twilio", partsPerSecond: 10))
        #expect(line == "3000 messages to send: about 10 minutes at 10 SMS parts a second through twilio.")
        #expect(PaceText.line(waiting: deliveries(0, sent: 5), parts: AlertParts(preview), pace: .stopped) == nil, "nothing waits")
        #expect(PaceText.line(waiting: deliveries(1), parts: AlertParts(preview), pace: .stopped)?.contains("no provider is taking messages") == true)
        #expect(PaceText.rough(.seconds(59)) == "under a minute" && PaceText.rough(.seconds(7800)) == "2 h 10 min")
    }

    @Test func theLiveRefreshReadsThePartsThePageMeasured() {
        #expect(AlertParts(query: AlertParts(preview).query) == AlertParts(preview))
        #expect(AlertParts(query: "3,1").start == 3 && AlertParts(query: "x").start == 1 && AlertParts(query: nil).end == 1)
        #expect(AlertParts(query: "0,9999").start == 1 && AlertParts(query: "0,9999").end == 255)
    }
}
