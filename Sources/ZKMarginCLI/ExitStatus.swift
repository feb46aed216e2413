public import Solvency

/// The exit status of both tools, `zkmargin` and `zkmargin-verify`, for
/// every command.
///
/// | status | meaning |
/// |---|---|
/// | 0 `ok` | done; every proof valid; the account meets every requirement |
/// | 1 `invalid` | a proof is invalid, or an account does not meet its margin (`check`; `prove` and `demo` refuse it) |
/// | 2 `unusable` | unusable input: a file that cannot be read or is malformed, a bundle not signed by the trusted key or outside its window, a bad key, a file that would be overwritten, any other error |
/// | 64 `usage` | a usage error: bad arguments (the usage line follows the error) |
///
/// A command throws an `ExitStatus` to end with it after printing what it
/// had to say (the runner prints nothing more).
public enum ExitStatus: Int32, Error, Sendable, CaseIterable {
    case ok = 0
    case invalid = 1
    case unusable = 2
    case usage = 64

    /// The status a library error ends a command with: a shortfall or a
    /// proof that does not verify is `invalid`; a bad argument to an
    /// operation (`invalidArgument`) is `usage`; anything else is
    /// `unusable`.
    public init(for error: SolvencyError) {
        switch error {
        case .marginShortfall, .proofInvalid: self = .invalid
        case .invalidArgument: self = .usage
        default: self = .unusable
        }
    }
}
