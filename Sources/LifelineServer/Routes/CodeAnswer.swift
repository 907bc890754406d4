import Hummingbird
import LifelineService

/// A code check's answer: `status` (the CLI's word), and `attempts_left` after a wrong code.
struct CodeAnswer: ResponseEncodable {
    let status: String
    let attemptsLeft: Int?

    /// `approvedWord` names an approved check where the flow has its own word (a sign-in's
    /// `authenticated`).
    init(_ check: VerificationCheck, approvedWord: String? = nil) {
        status = check == .approved ? approvedWord ?? check.name : check.name
        if case .incorrect(let left) = check { attemptsLeft = left } else { attemptsLeft = nil }
    }

    enum CodingKeys: String, CodingKey {
        case status
        case attemptsLeft = "attempts_left"
    }
}
