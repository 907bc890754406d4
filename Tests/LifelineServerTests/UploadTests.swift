import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LifelineStore
import LifelineTestSupport
import Testing

@testable import LifelineServer
@testable import LifelineService

/// Uploads: only the console's import takes one, only from a signed-in admin, checked before the
/// body is read; the body is parsed in one pass and the file streams to a spool.
struct UploadTests {
    static func multipart(boundary: String, csrf: String, file: String) -> ByteBuffer {
        ByteBuffer(
            string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"groups\"\r\n\r\nadd\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"staff.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                + file + "\r\n--\(boundary)--\r\n")
    }

    @Test func boundariesFollowRFC2046() throws {
        #expect(try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=XyZ") == "XyZ")
        #expect(try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        let longest = String(repeating: "b", count: 70)
        #expect(try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=\(longest)") == longest)
        #expect(throws: Problem.self) { try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=\(longest)b") }
        #expect(throws: Problem.self) { try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=") }
        #expect(throws: Problem.self) { try MultipartUpload.boundary(contentType: "multipart/form-data") }
    }

    @Test(arguments: TestEngine.allCases) func strangersAndOtherPagesAreRefusedBeforeTheBodyIsRead(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsoleAccounts(fixture.environment).grant(email: "ann@example.com", role: .operator, actor: "test")
            let operatorToken = try WebSessions(fixture.environment).begin(
                area: .console, email: "ann@example.com", stage: .signedIn, replacing: nil)
            try await fixture.application().test(.router) { client in
                let long = String(repeating: "x", count: 20_000)
                let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(long)"]
                let body = Self.multipart(boundary: long, csrf: "0", file: "email\r\n")
                let signIn = try await client.execute(uri: "/portal/sign-in", method: .post, headers: headers, body: body)
                #expect(signIn.status == .unsupportedMediaType, "a portal form takes no multipart body")
                let stranger = try await client.execute(uri: "/console/import", method: .post, headers: headers, body: body)
                #expect(stranger.status == .seeOther && stranger.headers[.location] == "/console/sign-in")
                var asOperator = headers
                asOperator[.cookie] = "lifeline_console=\(operatorToken)"
                let refused = try await client.execute(uri: "/console/import", method: .post, headers: asOperator, body: body)
                #expect(refused.status == .forbidden, "an operator may not upload")
                let events = try await client.execute(uri: "/console/events", method: .post, headers: asOperator, body: body)
                #expect(events.status == .unsupportedMediaType)
            }
        }
    }

    @Test(.tags(.slow), .skippedWhenQuick, arguments: TestEngine.allCases) func anAdminsUploadStreamsToTheDryRun(engine: TestEngine) async throws {
        try await withTemporaryDirectory { folder in
            let fixture = try ServerFixture(folder: folder, engine: engine)
            _ = try ConsoleAccounts(fixture.environment).grant(email: "bob@example.com", role: .admin, actor: "test")
            let token = try WebSessions(fixture.environment).begin(area: .console, email: "bob@example.com", stage: .signedIn, replacing: nil)
            let cookie = "lifeline_console=\(token)"
            try await fixture.application().test(.router) { client in
                let page = try await client.execute(uri: "/console/import", method: .get, headers: [.cookie: cookie])
                let csrf = try #require(PageTests.csrf(in: page.text))
                let boundary = String(repeating: "-", count: 30) + "7d2a"
                var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)", .cookie: cookie]
                // A file far bigger than one read, with boundary-like lines inside it.
                let rows = (0..<20_000).map { "user\($0)@example.com,User \($0),--\(boundary.prefix(20))" }.joined(separator: "\r\n")
                let file = "email,name,note\r\n" + rows
                let done = try await client.execute(
                    uri: "/console/import", method: .post, headers: headers, body: Self.multipart(boundary: boundary, csrf: csrf, file: file))
                #expect(done.status == .ok)
                #expect(done.text.contains("20000"), "the dry run counted every row of the streamed file")
                let forged = try await client.execute(
                    uri: "/console/import", method: .post, headers: headers,
                    body: Self.multipart(boundary: boundary, csrf: String(repeating: "0", count: 64), file: file))
                #expect(forged.status == .forbidden)
                let truncated = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)")
                let broken = try await client.execute(uri: "/console/import", method: .post, headers: headers, body: truncated)
                #expect(broken.status == .badRequest)
                headers[.contentType] = "multipart/form-data; boundary=b"
                let endlessHeader = ByteBuffer(string: "--b\r\nContent-Disposition: form-data; name=\"" + String(repeating: "h", count: 200_000))
                let refused = try await client.execute(uri: "/console/import", method: .post, headers: headers, body: endlessHeader)
                #expect(refused.status == .badRequest, "a part header is bounded")
            }
        }
    }
}
