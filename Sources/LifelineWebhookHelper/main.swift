// lifeline-webhook: the webhook gateway as a helper process, which `lifeline outbox dispatch
// --gateway webhook` starts beside itself and talks to over its standard input and output
// (one `GatewayHelperLine` of JSON per line).
//
// The webhook gateway needs AsyncHTTPClient and SwiftNIO. Linked into `lifeline`, they doubled
// the binary and slowed the start of every command (the loader relocates and the kernel maps
// all of it), though only dispatch posts anything: git keeps its HTTP transport in
// git-remote-https for the same reason.
import FoundationEssentials
import LifelineService
import LifelineWebhook

#if canImport(Glibc)
    import Glibc
#endif

func reply(_ line: GatewayHelperLine) throws {
    var bytes = Array(try JSONEncoder().encode(line))
    bytes.append(UInt8(ascii: "\n"))
    do {
        try FileDescriptorWriter.standardOutput.write(bytes)
    } catch {
        exit(1)  // lifeline has gone: nothing to answer to
    }
}

let gateway: WebhookGateway
do {
    gateway = WebhookGateway(configuration: try WebhookConfiguration.fromEnvironment())
    try reply(.ready)
} catch let failure as GatewayFailure {
    try reply(.failure(failure))
    exit(0)
}

while let line = readLine() {
    guard case .batch(let messages) = try? JSONDecoder().decode(GatewayHelperLine.self, from: Data(line.utf8)) else {
        try reply(.failure(.unavailable(gateway: "webhook", reason: "the helper received a line that is not a batch")))
        exit(1)
    }
    try reply(.outcomes(try await gateway.send(messages)))
}
