/// A setting turned on or off on the command line (`--debate on|off`).
public enum SwitchArgument: String, CaseIterable, Hashable, Sendable {
    case on
    case off

    var isOn: Bool { self == .on }
}
