import FORLLMForum
import FORLLMStore
import Foundation

extension Admin {
    struct UserJSON: Encodable {
        var name: String
        var addresses: [String]
        var createdAt: Date
    }

    /// `forllm user add NAME --from ADDRESS ...`
    public func addUser(name: String, addresses: [String], password: String) async throws -> String {
        let isFirst = try await !self.database.hasUsers()
        let user = try await self.forum.addUser(name: name, password: password, addresses: addresses)
        let posting =
            user.addresses.isEmpty
            ? "reads only (no --from address to post with)"
            : "posts as \(user.addresses.joined(separator: ", "))"
        let restart = isFirst ? "; readers must log in from the next start of forllm serve" : ""
        return "added user \(user.name): \(posting)\(restart)"
    }

    /// `forllm user list`
    public func listUsers(json: Bool) async throws -> String {
        let users = try await self.database.users()
        if json {
            return try JSONOutput.encode(
                users.map { UserJSON(name: $0.name, addresses: $0.addresses, createdAt: $0.createdAt) }
            )
        }
        if users.isEmpty { return "no users: readers need no login (forllm user add NAME --from ADDRESS)" }
        return TextTable.render(
            header: ["USER", "ADDRESSES"],
            rows: users.map { [$0.name, $0.addresses.joined(separator: ", ")] }
        )
    }

    /// `forllm user remove NAME`
    public func removeUser(name: String) async throws -> String {
        try await self.forum.removeUser(named: name)
        return "removed user \(name.lowercased()); their articles stay"
    }

    /// `forllm user passwd NAME`
    public func changePassword(name: String, password: String) async throws -> String {
        try await self.forum.changePassword(ofUser: name, to: password)
        return "changed the password of \(name.lowercased())"
    }
}
