package import Foundation
import ZKGroup

extension TamperResult {
    /// The per-category table of a fixture's run: variants tried, rejected
    /// with exit 1, with exit 2, accepted, crashed; with `reasons`, under
    /// each category the checks (error codes) that rejected its variants.
    package func table(reasons showReasons: Bool = false) -> [String] {
        func row(_ name: String, _ t: TamperTally) -> String {
            "  " + name.padding(toLength: 24, withPad: " ", startingAt: 0)
                + [t.tried, t.invalid, t.unusable, t.accepted, t.crashed].map { pad(String($0), 9) }.joined()
        }
        var lines = [String(format: "%@: %d variants in %.1f s", fixture, total.tried, seconds)]
        lines.append("  " + "category".padding(toLength: 24, withPad: " ", startingAt: 0)
                     + ["tried", "exit 1", "exit 2", "accepted", "crashed"].map { pad($0, 9) }.joined())
        for category in TamperCategory.allCases {
            guard let t = tallies[category] else { continue }
            lines.append(row(category.rawValue, t))
            if showReasons, let r = reasons[category] {
                for (reason, count) in r.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                    lines.append("      \(pad(String(count), 7))  \(reason)")
                }
            }
        }
        lines.append(row("total", total))
        return lines
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }
}

extension TamperFinding {
    /// One line: what was accepted or crashed, and where it was saved.
    package var line: String {
        "\(outcome.summary)  \(fixture) [\(category.rawValue)] \(description)" + (savedAt.map { "\n    saved in \($0) (run reproduce.sh there)" } ?? "")
    }
}

extension TamperFixture {
    /// `all(root:circuits:curve:)` with the curve given by name.
    package static func all(root: URL, circuits: [String]?, curveName: String) throws -> [TamperFixture] {
        guard let curve = Curve(name: curveName), curve.rawValue == curveName else {
            throw TamperError("unknown curve \(curveName) (p256 or secp256k1)")
        }
        return try all(root: root, circuits: circuits, curve: curve)
    }
}
