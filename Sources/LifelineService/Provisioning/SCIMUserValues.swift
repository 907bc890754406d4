import LifelineStore
import LifelineVocabulary

/// What a SCIM User document says of a user, checked: the fields a request mentions, and
/// nothing for those it does not (an attribute a request leaves out is left alone).
struct SCIMUserValues {
    var userName: String
    /// nil: not mentioned; `.some(nil)`: sent empty or removed.
    var externalID: String??
    var displayName: String??
    var active: Bool?
    var email: String
    /// The `primary` flag on the email chosen, when the request gives one.
    var emailMarkedPrimary: Bool?
    /// Each mapped attribute the document mentions, with its value (nil: cleared).
    var attributes: [(entry: SCIMAttributeMap.Entry, value: String?)]

    /// Reads `document`. `isComplete` says it is the whole resource (a PATCH's result), so
    /// an attribute it lacks was removed; otherwise (POST, PUT) one it lacks is not mentioned.
    init(_ document: SCIMObject, map: SCIMAttributeMap, isComplete: Bool) throws {
        guard let userName = document["userName"]?.string?.trimmingBlanks(), !userName.isEmpty else {
            throw SCIMFailure.invalidValue("userName is required: a non-empty string")
        }
        guard userName.unicodeScalars.count <= 320 else { throw SCIMFailure.invalidValue("userName is longer than 320 characters") }
        self.userName = userName

        func text(_ name: String) throws -> String?? {
            guard let value = document[name] else { return isComplete ? .some(nil) : nil }
            if value == .null { return .some(nil) }
            guard let text = value.string else { throw SCIMFailure.invalidValue("\(name) must be a string") }
            let trimmed = text.trimmingBlanks()
            try TextLimit.name.checkSCIM(trimmed, field: name)
            return .some(trimmed.isEmpty ? nil : trimmed)
        }
        externalID = try text("externalId")
        displayName = try text("displayName")
        // Okta and others send the name's parts and no display name: the name is made of them.
        if displayName == nil || displayName == .some(nil), let name = document["name"]?.object {
            let formatted = name["formatted"]?.string?.trimmingBlanks()
            let parts = [name["givenName"], name["familyName"]].compactMap { $0?.string?.trimmingBlanks() }.filter { !$0.isEmpty }
            if let formatted, !formatted.isEmpty {
                try TextLimit.name.checkSCIM(formatted, field: "name.formatted")
                displayName = .some(formatted)
            } else if !parts.isEmpty {
                let joined = parts.joined(separator: " ")
                try TextLimit.name.checkSCIM(joined, field: "name")
                displayName = .some(joined)
            }
        }
        if let value = document["active"], value != .null {
            guard let active = value.tolerantBool else { throw SCIMFailure.invalidValue("active must be true or false") }
            self.active = active
        } else if isComplete {
            throw SCIMFailure.invalidValue("active cannot be removed: replace it with false to disable the user")
        } else {
            // Not mentioned: the status is left as it is (a new user is active).
            active = nil
        }

        (email, emailMarkedPrimary) = try Self.primaryEmail(in: document, userName: userName)
        attributes = map.entries.compactMap { entry in
            let found = map.value(of: entry, in: document)
            return found.mentioned || isComplete ? (entry, found.value) : nil
        }
    }

    /// The primary email, else the work one, else `userName` when it is an address; with the
    /// `primary` flag the chosen one carries.
    private static func primaryEmail(in document: SCIMObject, userName: String) throws -> (String, Bool?) {
        let emails = document["emails"]?.array ?? []
        let chosen =
            emails.first { $0.object?["primary"]?.tolerantBool == true }
            ?? emails.first { $0.object?["type"]?.string.map(ASCIICaseFold.folded) == "work" }
        if let chosen {
            guard let address = chosen.object?["value"]?.string?.trimmingBlanks() else {
                throw SCIMFailure.invalidValue("the primary email has no value")
            }
            if let problem = EmailAddress.problem(with: address) { throw SCIMFailure.invalidValue(problem) }
            return (address, chosen.object?["primary"]?.tolerantBool)
        }
        if EmailAddress.problem(with: userName) == nil { return (userName, nil) }
        throw SCIMFailure.invalidValue(
            "the user has no email: send a primary or work address in emails, or a userName that is an email address")
    }
}
