import CLDAP
import Glibc
import LifelineService

/// A connection to an LDAP server through the system's OpenLDAP client library (Debian
/// `libldap-dev`), bound and ready to search.
///
/// By hand over the C library rather than a Swift package: none of the packages this project
/// may use speaks LDAP, and libldap is the implementation Active Directory and OpenLDAP
/// deployments already trust for TLS, StartTLS and referrals. Blocking: it is used from the CLI
/// and from a thread of the server's pool, never an event loop.
public final class LDAPClient: LDAPDirectory {
    private let handle: OpaquePointer
    private let url: String
    private let timeoutSeconds: Int
    private let usesTLS: Bool

    /// Connects as `settings` say (TLS from the URL, or StartTLS), and binds; every failure is
    /// ``LDAPSyncFailure/directory(url:reason:kind:)`` saying what went wrong.
    public init(settings: LDAPSyncSettings) throws {
        url = settings.url
        timeoutSeconds = settings.timeoutSeconds
        usesTLS = settings.startTLS || settings.url.lowercased().hasPrefix("ldaps:")
        var opened: OpaquePointer?
        let status = ldap_initialize(&opened, settings.url)
        guard status == LDAP_SUCCESS, let opened else {
            throw LDAPSyncFailure.directory(url: settings.url, reason: "not an LDAP URL: \(Self.text(of: status))", kind: .usage)
        }
        handle = opened
        // Every stored property is set: if what follows throws, deinit unbinds.
        try configure(settings)
        if settings.startTLS {
            try check(ldap_start_tls_s(handle, nil, nil), doing: "StartTLS")
        }
        try bind(dn: settings.bindDN, password: try settings.password())
    }

    deinit {
        ldap_unbind_ext_s(handle, nil, nil)
    }

    private func configure(_ settings: LDAPSyncSettings) throws {
        try check(lifeline_ldap_set_int(handle, LDAP_OPT_PROTOCOL_VERSION, LDAP_VERSION3), doing: "setting LDAPv3")
        // Active Directory answers searches at a domain's root with referrals to other
        // partitions; chasing them would bind anonymously elsewhere.
        try check(ldap_set_option(handle, LDAP_OPT_REFERRALS, lifeline_ldap_opt_off()), doing: "turning referrals off")
        try check(lifeline_ldap_set_timeout(handle, LDAP_OPT_NETWORK_TIMEOUT, settings.timeoutSeconds), doing: "setting the connect timeout")
        try check(lifeline_ldap_set_timeout(handle, LDAP_OPT_TIMEOUT, settings.timeoutSeconds), doing: "setting the timeout")
        if let caFile = settings.caFile {
            try check(lifeline_ldap_set_string(handle, LDAP_OPT_X_TLS_CACERTFILE, caFile), doing: "reading the CA file \(caFile)")
            try check(lifeline_ldap_set_int(handle, LDAP_OPT_X_TLS_REQUIRE_CERT, LDAP_OPT_X_TLS_DEMAND), doing: "requiring a certificate")
            // The TLS options above take effect in a new context for this connection.
            try check(lifeline_ldap_set_int(handle, LDAP_OPT_X_TLS_NEWCTX, 0), doing: "setting up TLS with \(caFile)")
        }
    }

    private func bind(dn: String?, password: String?) throws {
        var bytes = Array((password ?? "").utf8)
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                var credential = berval(bv_len: ber_len_t(characters.count), bv_val: characters.baseAddress)
                return ldap_sasl_bind_s(handle, dn ?? "", lifeline_ldap_sasl_simple(), &credential, nil, nil, nil)
            }
        }
        try check(status, doing: dn.map { "binding as \($0)" } ?? "binding anonymously")
    }

    /// Searches the subtree under `search.base`, a page at a time (RFC 2696) when the server
    /// pages, so a directory of any size is read in full (Active Directory stops at 1,000
    /// entries an answer otherwise).
    public func search(_ search: LDAPSearch, _ body: (LDAPEntry) throws -> Void) throws {
        var cookie = berval(bv_len: 0, bv_val: nil)
        defer { if cookie.bv_val != nil { ber_memfree(cookie.bv_val) } }
        var attributes = search.attributes.map { strdup($0) } + [nil]
        defer { for attribute in attributes { free(attribute) } }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        repeat {
            var pageControl: UnsafeMutablePointer<LDAPControl>?
            let size = ber_int_t(search.pageSize)
            let created =
                cookie.bv_len > 0
                ? withUnsafeMutablePointer(to: &cookie) { ldap_create_page_control(handle, size, $0, 0, &pageControl) }
                : ldap_create_page_control(handle, size, nil, 0, &pageControl)
            try check(created, doing: "asking for pages")
            defer { ldap_control_free(pageControl) }
            var controls: [UnsafeMutablePointer<LDAPControl>?] = [pageControl, nil]
            var result: OpaquePointer?
            let status = ldap_search_ext_s(
                handle, search.base, lifeline_ldap_scope_subtree(), search.filter, &attributes, 0, &controls, nil, &timeout,
                LDAP_NO_LIMIT, &result)
            defer { if result != nil { ldap_msgfree(result) } }
            try check(status, doing: "searching \(search.base) for \(search.filter)")
            var entry = ldap_first_entry(handle, result)
            while let current = entry {
                try body(readEntry(current))
                entry = ldap_next_entry(handle, current)
            }
            if cookie.bv_val != nil {
                ber_memfree(cookie.bv_val)
                cookie = berval(bv_len: 0, bv_val: nil)
            }
            // The server's page control carries the cookie for the next page; none, or an
            // empty one, means this was the last.
            var serverControls: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
            var code: Int32 = 0
            try check(ldap_parse_result(handle, result, &code, nil, nil, nil, &serverControls, 0), doing: "reading the answer")
            defer { if serverControls != nil { ldap_controls_free(serverControls) } }
            try check(code, doing: "searching \(search.base) for \(search.filter)")
            if let response = ldap_control_find(lifeline_ldap_control_paged_results(), serverControls, nil) {
                var estimate: ber_int_t = 0
                try check(ldap_parse_pageresponse_control(handle, response, &estimate, &cookie), doing: "reading the page")
            }
        } while cookie.bv_len > 0
    }

    private func readEntry(_ entry: OpaquePointer) throws -> LDAPEntry {
        let dnPointer = ldap_get_dn(handle, entry)
        defer { if dnPointer != nil { ldap_memfree(dnPointer) } }
        let dn = dnPointer.map { String(cString: $0) } ?? ""
        var attributes: [String: [String]] = [:]
        var ber: OpaquePointer?
        var name = ldap_first_attribute(handle, entry, &ber)
        defer { if ber != nil { ber_free(ber, 0) } }
        while let current = name {
            let attribute = String(cString: current)
            if let values = ldap_get_values_len(handle, entry, current) {
                var index = 0
                var texts: [String] = []
                while let value = values[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    texts.append(String(decoding: bytes, as: UTF8.self))
                    index += 1
                }
                ldap_value_free_len(values)
                attributes[attribute] = texts
            }
            ldap_memfree(current)
            name = ldap_next_attribute(handle, entry, ber)
        }
        return LDAPEntry(dn: dn, attributes: attributes)
    }

    /// Turns a failed call into what to do about it, with the server's own words.
    private func check(_ status: Int32, doing what: String) throws {
        guard status != LDAP_SUCCESS else { return }
        var reason = "\(what) failed: \(Self.text(of: status))"
        if let diagnostic = lifeline_ldap_diagnostic(handle) {
            let words = String(cString: diagnostic)
            ldap_memfree(diagnostic)
            if !words.isEmpty { reason += " (\(words))" }
        }
        let kind: FailureKind
        switch status {
        case LDAP_SERVER_DOWN, LDAP_TIMEOUT, LDAP_CONNECT_ERROR:
            kind = .gatewayUnavailable
            reason += ": is the server up, and the URL's host and port right?"
            if usesTLS { reason += " Is its certificate signed by a CA this machine trusts (ca-file)?" }
        case LDAP_PROTOCOL_ERROR where what == "StartTLS":
            kind = .configuration
            reason += ": the server does not offer StartTLS; use ldaps:// or configure TLS on it"
        case LDAP_INVALID_CREDENTIALS:
            kind = .configuration
            reason += ": check bind-dn and the password file"
        case LDAP_FILTER_ERROR:
            kind = .usage
            reason += ": the filter is not valid LDAP"
        case LDAP_NO_SUCH_OBJECT, LDAP_INVALID_DN_SYNTAX:
            kind = .usage
            reason += ": check the base DN"
        case LDAP_INSUFFICIENT_ACCESS, LDAP_CONFIDENTIALITY_REQUIRED, LDAP_STRONG_AUTH_REQUIRED, LDAP_UNWILLING_TO_PERFORM:
            kind = .configuration
        default:
            kind = .gatewayUnavailable
        }
        throw LDAPSyncFailure.directory(url: url, reason: reason, kind: kind)
    }

    private static func text(of status: Int32) -> String {
        String(cString: ldap_err2string(status))
    }
}
