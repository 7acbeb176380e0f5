/// One optional value per profile, written as a mapping keyed by profile name
/// (`{paper: …, local: …}`): the settings of a profile (`ProfilePatches`), or the row of another
/// file whose runs a row's are (`same_run_as`). Any other key is an unknown key.
public struct PerProfile<Value: Decodable & Equatable & Sendable>: Decodable, Equatable, Sendable {
    public var paper: Value?
    public var local: Value?
    public var quick: Value?
    public var smoke: Value?

    public init(paper: Value? = nil, local: Value? = nil, quick: Value? = nil, smoke: Value? = nil) {
        self.paper = paper
        self.local = local
        self.quick = quick
        self.smoke = smoke
    }

    public subscript(profile: Profile) -> Value? {
        switch profile {
        case .paper: return paper
        case .local: return local
        case .quick: return quick
        case .smoke: return smoke
        }
    }

    /// The profiles with a value, in `Profile.allCases` order.
    public var profiles: [Profile] { Profile.allCases.filter { self[$0] != nil } }
}
