import LifelineStore

extension DirectoryStore {
    /// The id of the group with this name, or the failure that lists the known groups.
    func requireGroupID(named name: String) throws -> Int64 {
        guard let id = try groupID(named: name.trimmingBlanks()) else {
            throw DirectoryFailure.groupNotFound(name: name, known: try groups().map(\.name))
        }
        return id
    }
}
