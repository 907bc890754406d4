/// One line between `lifeline` and a gateway helper process (`lifeline-webhook`), as JSON.
///
/// `lifeline` writes `.batch`; the helper answers `.ready` or `.failure` once when it starts,
/// then `.outcomes` for each batch, one per message and in order.
public enum GatewayHelperLine: Codable, Sendable, Equatable {
    case ready
    case failure(GatewayFailure)
    case batch([GatewayMessage])
    case outcomes([GatewayOutcome])
}
