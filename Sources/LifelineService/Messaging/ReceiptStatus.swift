import LifelineStore
import LifelineVocabulary

/// What a delivery receipt says, in the one vocabulary every way a receipt arrives shares:
/// `outbox receipt`, the provider webhook, Twilio's status callback. Each provider's own words
/// are read into it here, and nowhere else.
public enum ReceiptStatus: String, Sendable, CaseIterable {
    case delivered, undelivered

    /// A provider's word for a message's fate: Twilio's `failed` is `undelivered`; words that
    /// are not final (`queued`, `sent`, `accepted`, …) are no receipt, so nil.
    public init?(providerWord word: String) {
        switch word {
        case "delivered": self = .delivered
        case "undelivered", "failed": self = .undelivered
        default: return nil
        }
    }

    /// Kannel's delivery-report type (`%d` in a `dlr-url`): 1 delivered; 2 undelivered and 16
    /// refused by the SMSC are final failures; 4 (buffered) and 8 (accepted by the SMSC) are no receipt.
    public init?(kannelReportType type: Int) {
        switch type {
        case 1: self = .delivered
        case 2, 16: self = .undelivered
        default: return nil
        }
    }

    /// The outbox status a receipt leaves its message in.
    var outboxStatus: OutboxStatus { self == .delivered ? .delivered : .failed }

    /// The statuses a message can have when a receipt for it is believed: it was handed to a
    /// provider (a later receipt may correct an earlier one). `sending` too: a fast carrier's
    /// receipt can arrive before dispatch has recorded the rest of the batch, and the receipt
    /// then stands (dispatch records outcomes only on messages still `sending`).
    static let receivable: Set<OutboxStatus> = [.sending, .sent, .delivered, .failed]
}
