// The domain's words are the service's to give: whoever uses the service (the server, the
// CLI) reads roles, states and statuses from it, and never needs the store for them.
@_exported import LifelineVocabulary
