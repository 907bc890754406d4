import Glibc
import LifelineService

/// Who a request comes from: the peer's address, unless the peer is a trusted proxy, in which
/// case the nearest address in `X-Forwarded-For` that is not itself a trusted proxy. An
/// untrusted peer's header is ignored, since anyone can send one.
struct ClientAddressResolver: Sendable {
    let trustedProxies: [AddressRange]

    func client(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard let peer, isTrusted(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { String($0).trimmingBlanks() }
        var nearest = peer
        for hop in hops.reversed() {
            // A malformed hop ends the chain: what lies beyond it cannot be believed.
            guard let address = IPAddress(hop) else { break }
            nearest = address
            if !isTrusted(address) { break }
        }
        return nearest
    }

    private func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}
