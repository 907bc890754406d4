import Foundation
import Testing

@testable import LifelineService

/// SCIM's filters, paths and PATCH operations on documents, without a database.
struct SCIMDocumentTests {
    static func value(_ json: String) throws -> SCIMValue {
        try JSONDecoder().decode(SCIMValue.self, from: Data(json.utf8))
    }

    static func object(_ json: String) throws -> SCIMObject {
        try #require(try value(json).object)
    }

    static func patched(_ document: String, _ operations: String) throws -> SCIMObject {
        var object = try object(document)
        let body = try value(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[\#(operations)]}"#)
        for operation in try SCIMPatchOperation.operations(in: body) { try operation.apply(to: &object) }
        return object
    }

    @Test func filtersParseWithPrecedenceAndValuePaths() throws {
        let filter = try SCIMFilter(parsing: #"userName sw "J" and (active eq true or not (title pr)) or emails[type eq "work"]"#)
        guard case .or(.and(.compare(let name, .sw, .string("J")), .or(.compare(_, .eq, .bool(true)), .not(.present))), .valuePath(let emails, _)) = filter
        else {
            Issue.record("parsed as \(filter)")
            return
        }
        #expect(name.attribute == "userName" && emails.attribute == "emails")
        #expect(try SCIMFilter(parsing: "meta.lastModified gt \"2011-05-13T04:42:34Z\"") != SCIMFilter(parsing: "active pr"))
        // Operators and attribute names are case-insensitive (RFC 7644 §3.4.2.2).
        #expect(try SCIMFilter(parsing: #"USERNAME EQ "x""#).matches(try Self.value(#"{"userName":"X"}"#)))
    }

    @Test(arguments: [
        #"userName eq"#, #"userName xx "a""#, #"(userName eq "a""#, #"userName eq "a" and"#, #"emails[type eq "work""#, #"userName eq "unterminated"#,
    ])
    func aBadFilterIsInvalidFilterAndSaysWhere(text: String) {
        #expect {
            try SCIMFilter(parsing: text)
        } throws: { error in
            (error as? SCIMFailure)?.scimType == .invalidFilter && (error as? SCIMFailure)?.message.isEmpty == false
        }
    }

    @Test func valueFiltersMatchOneElement() throws {
        let mobile = try Self.value(#"{"type":"Mobile","value":"+447700900123","primary":false}"#)
        #expect(try SCIMFilter(parsing: #"type eq "mobile""#).matches(mobile))
        #expect(try SCIMFilter(parsing: #"value sw "+44" and not (primary eq true)"#).matches(mobile))
        #expect(try !SCIMFilter(parsing: #"type eq "work""#).matches(mobile))
        #expect(try SCIMFilter(parsing: #"value ew "123""#).matches(mobile))
    }

    @Test func entraReplacesActiveWithAStringAndACapitalisedOp() throws {
        let user = try Self.patched(#"{"userName":"a","active":true}"#, #"{"op":"Replace","path":"active","value":"False"}"#)
        #expect(user["active"]?.tolerantBool == false)
    }

    @Test func oktaReplacesWithNoPathAndAnObjectOfAttributes() throws {
        let user = try Self.patched(
            #"{"userName":"a","active":true,"displayName":"A"}"#, #"{"op":"replace","value":{"active":false,"displayName":"B"}}"#)
        #expect(user["active"] == .bool(false) && user["displayName"] == .string("B") && user["userName"] == .string("a"))
    }

    @Test func aValueFilterReplacesOneNumberAndCreatesItWhenMissing() throws {
        let phones = #"{"userName":"a","phoneNumbers":[{"type":"mobile","value":"1"},{"type":"work","value":"2"}]}"#
        let replaced = try Self.patched(phones, #"{"op":"replace","path":"phoneNumbers[type eq \"mobile\"].value","value":"3"}"#)
        #expect(replaced["phoneNumbers"] == (try Self.value(#"[{"type":"mobile","value":"3"},{"type":"work","value":"2"}]"#)))
        let created = try Self.patched(#"{"userName":"a"}"#, #"{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"4"}"#)
        #expect(created["phoneNumbers"] == (try Self.value(#"[{"type":"mobile","value":"4"}]"#)))
        let removed = try Self.patched(phones, #"{"op":"remove","path":"phoneNumbers[type eq \"work\"]"}"#)
        #expect(removed["phoneNumbers"] == (try Self.value(#"[{"type":"mobile","value":"1"}]"#)))
    }

    @Test func entraAddsExtensionAttributesByQualifiedPath() throws {
        let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        let user = try Self.patched(
            #"{"userName":"a"}"#,
            #"{"op":"Add","path":"\#(enterprise):department","value":"Ops"},{"op":"Add","value":{"\#(enterprise):employeeNumber":"7"}}"#)
        #expect(user[enterprise]?.object?["department"] == .string("Ops"))
        #expect(user[enterprise]?.object?["employeeNumber"] == .string("7"))
    }

    @Test func membersAreAddedWithoutDuplicatesAndRemovedByFilterOrByValue() throws {
        let group = #"{"displayName":"G","members":[{"value":"1"},{"value":"2"}]}"#
        let added = try Self.patched(group, #"{"op":"add","path":"members","value":[{"value":"2"},{"value":"3"}]}"#)
        #expect(added["members"]?.array?.compactMap { $0.object?["value"]?.string } == ["1", "2", "3"])
        let byFilter = try Self.patched(group, #"{"op":"remove","path":"members[value eq \"1\"]"}"#)
        #expect(byFilter["members"]?.array?.compactMap { $0.object?["value"]?.string } == ["2"])
        // Entra ID and some others remove by listing the members in the value.
        let byValue = try Self.patched(group, #"{"op":"Remove","path":"members","value":[{"value":"2"}]}"#)
        #expect(byValue["members"]?.array?.compactMap { $0.object?["value"]?.string } == ["1"])
    }

    @Test func aPatchBodyWithoutItsSchemaOrOperationsIsRefusedWithItsPlace() throws {
        #expect(throws: SCIMFailure.self) { try SCIMPatchOperation.operations(in: try Self.value(#"{"Operations":[]}"#)) }
        #expect {
            try SCIMPatchOperation.operations(
                in: try Self.value(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"x"},{"op":"jump"}]}"#))
        } throws: { error in
            (error as? SCIMFailure)?.message.contains("Operations[1]") == true
        }
        #expect(throws: SCIMFailure.self) {
            try SCIMPatchOperation.operations(
                in: try Self.value(#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}"#))
        }
    }

    @Test func theAttributeMapReadsItsSettingAndRefusesNonsenseWithTheEntry() throws {
        let map = try SCIMAttributeMap(parsing: SCIMAttributeMap.defaultText)
        #expect(map.entries.contains { $0.pathText == #"phoneNumbers[type eq "mobile"].value"# && $0.attribute == "mobile" })
        #expect(map.entries.contains { $0.pathText == #"phoneNumbers[type eq "work"].value"# && $0.attribute == "work_phone" })
        #expect(throws: SettingsFailure.self) { try SCIMAttributeMap(parsing: "phoneNumbers[type eq =mobile") }
        #expect(throws: SettingsFailure.self) { try SCIMAttributeMap(parsing: "title") }
    }
}
