import LifelineServer
import Testing

/// What `serve` says when it starts: where everything is, and a warning when other machines
/// can connect over plain HTTP, where cookies cannot be Secure.
struct ServerConfigurationTests {
    @Test func theStartUpLineNamesTheAPIThePortalAndTheConsole() throws {
        let local = try #require(ServerConfiguration(listen: "127.0.0.1:8080"))
        #expect(local.startUpLines(port: 8080) == [
            "Lifeline is serving http://127.0.0.1:8080: the API at http://127.0.0.1:8080/v1, "
                + "the portal at http://127.0.0.1:8080/portal, the console at http://127.0.0.1:8080/console"
        ])
        var proxied = try #require(ServerConfiguration(listen: "[::]:0"))
        proxied.publicURL = "https://sms.example.org"
        let lines = proxied.startUpLines(port: 41000)
        #expect(lines == ["Lifeline is serving http://[::]:41000 (reached as https://sms.example.org): the API at "
            + "https://sms.example.org/v1, the portal at https://sms.example.org/portal, the console at https://sms.example.org/console"])
    }

    @Test(arguments: [
        ("127.0.0.1:8080", nil, false), ("localhost:8080", nil, false), ("[::1]:8080", nil, false),
        ("0.0.0.0:8080", nil, true), ("10.1.2.3:8080", "http://sms.example.org", true),
        ("0.0.0.0:8080", "https://sms.example.org", false),
    ] as [(String, String?, Bool)])
    func othersReachingPlainHTTPIsWarnedOf(listen: String, publicURL: String?, warns: Bool) throws {
        var configuration = try #require(ServerConfiguration(listen: listen))
        configuration.publicURL = publicURL
        let warning = configuration.startUpLines(port: 8080).dropFirst().first
        #expect((warning != nil) == warns)
        if warns { #expect(warning?.contains("not marked Secure") == true) }
    }
}
