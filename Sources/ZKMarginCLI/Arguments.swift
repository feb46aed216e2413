public import ArgumentParser
public import Foundation
import Solvency
public import ZKGroup

/// `--curve p256`: a curve by its name (`Curve(name:)`, which also takes
/// `p-256`, `secp256r1` and `prime256v1`).
extension Curve: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public var defaultValueDescription: String { rawValue }
}

/// Transforms for option values that need a reason when they are refused
/// (a refused value is a usage error, exit 64).
public enum ArgumentTransforms {
    /// An RFC 3339 time such as `2030-01-01T00:00:00Z`, read strictly.
    public static func time(_ text: String) throws -> Date {
        do { return try RFC3339.parse(text) } catch {
            throw ValidationError("not an RFC 3339 time such as 2025-12-31T00:00:00Z: \(error.reason)")
        }
    }

    /// An epoch: an integer (`42`), a date (`2025-11-25`) or an RFC 3339
    /// time, as written (`Epoch` makes its canonical text later).
    public static func epoch(_ text: String) throws -> String {
        do { _ = try Epoch(text) } catch { throw ValidationError(error.reason) }
        return text
    }
}
