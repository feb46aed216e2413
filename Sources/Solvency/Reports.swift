public import Foundation
import ZKGroup
public import MarginCircuits
import StrictJSON

// The texts the two reports print: the margin report (`zkmargin check`) and
// the verification report (`zkmargin-verify`), each as lines for a terminal
// and as JSON. Every line is escaped (`displaySafe`) so that text from a file
// cannot forge another line; JSON goes through the StrictJSON writer.

// MARK: Margin report

extension MarginReport {
    /// The plain report: a heading, a table of every requirement (binding
    /// first) with its equity, requirement, excess and `ok` or `SHORT`, then
    /// the verdict, `MEETS …` or `DOES NOT MEET …` with each shortfall.
    /// Every line ends with a newline.
    public var text: String {
        var out = displaySafe("\(circuitName) at \(venue), account \(account), amounts in \(quote)") + "\n\n"
        out += table.map { displaySafe($0) + "\n" }.joined()
        out += "\n"
        if meets {
            if let b = binding {
                let spare = b.excess.isZero ? "exactly at the margin" : "\(amount(b.excess)) \(quote) to spare"
                out += displaySafe("MEETS every requirement. Binding: \(b.name), \(spare).") + "\n"
            }
        } else {
            out += "DOES NOT MEET \(failing.count) of \(requirements.count) requirement\(requirements.count == 1 ? "" : "s"):\n"
            for f in failing {
                out += displaySafe("  \(f.name): short by \(amount(-f.excess)) \(quote) (equity \(amount(f.equity)), requirement \(amount(f.requirement)))") + "\n"
            }
        }
        return out
    }

    /// The table's lines, unescaped: names left-aligned, figures
    /// right-aligned, no trailing spaces.
    private var table: [String] {
        let header = ["name", "equity", "requirement", "excess", ""]
        let rows = [header] + requirements.map { r in
            [r.name, amount(r.equity), amount(r.requirement), amount(r.excess), r.meets ? "ok" : "SHORT"]
        }
        var widths = Array(repeating: 0, count: header.count)
        for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
        return rows.map { row in
            var line = ""
            for (i, c) in row.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - c.count)
                line += i == 0 ? c + pad : "  " + (i == row.count - 1 ? c : pad + c)
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// The machine-readable report (`zkmargin check --json`): `meets`, the
    /// circuit, venue, quote and account, the binding requirement's name
    /// (null without requirements) and every requirement with its figures
    /// as exact decimal strings.
    public var json: String {
        let items: [JSONValue] = requirements.map { r in
            .object(JSONObject([
                ("name", .string(r.name)), ("meets", .bool(r.meets)), ("equity", .string(amount(r.equity))),
                ("requirement", .string(amount(r.requirement))), ("excess", .string(amount(r.excess))),
            ]))
        }
        let o = JSONObject([
            ("meets", .bool(meets)),
            ("circuit", .string(circuitName)),
            ("venue", .string(venue)),
            ("quote", .string(quote)),
            ("account", .string(account)),
            ("binding", binding.map { .string($0.name) } ?? .null),
            ("requirements", .array(items)),
        ])
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }
}

// MARK: Verification report

extension VerificationReport {
    /// One line per proof: `VALID`, `VALID (UNATTESTED)` or `INVALID`, the
    /// file, and what was shown or why not. Each is one line whatever the
    /// files say: names come from signed sources where there are any (the
    /// bundle's circuit, venue, epoch and requirements; the account the
    /// custodian signed), and every control, format or line-separator
    /// character is escaped (`displaySafe`), so a proof cannot forge a line.
    public var lines: [String] { lines(hint: { _ in nil }) }

    /// The lines, each rejection followed by `hint(error)` where it gives
    /// one (`; …`): how the caller can act on it, in its own terms (a
    /// command line names its flags; the library does not).
    public func lines(hint: (SolvencyError) -> String?) -> [String] {
        verdicts.map { displaySafe(line(for: $0, hint: hint)) }
    }

    private func line(for v: ProofVerdict, hint: (SolvencyError) -> String?) -> String {
        switch v.result {
        case .success(let a):
            var what = "account \(jsonQuoted(a.account)) meets \(a.requirements.joined(separator: ", ")) of \(bundle.circuitName) (\(bundle.values.venue), epoch \(bundle.epoch))"
            if !a.excludedElements.isEmpty {
                let shown = a.excludedElements.prefix(5).joined(separator: ", ") + (a.excludedElements.count > 5 ? ", …" : "")
                what += "; shown to hold nothing in \(a.excludedElements.count) element\(a.excludedElements.count == 1 ? "" : "s") (\(shown))"
            }
            if !a.covenants.isEmpty { what += "; also proves \(a.covenants.joined(separator: ", "))" }
            if let c = a.binding.challenge { what += "; answers challenge \(c)" }
            if let n = a.binding.audience { what += "; made for \(jsonQuoted(n))" }
            if a.attested {
                return "VALID    \(v.name): \(what); inputs attested by custodian \(short(a.custodianKeyID ?? ""))"
            }
            return "VALID (UNATTESTED)    \(v.name): \(what); the inputs are self-attested: no custodian vouches for them"
        case .failure(let e):
            return "INVALID  \(v.name): \(e)" + (hint(e).map { "; \($0)" } ?? "")
        }
    }

    /// The summary line after the per-proof lines (escaped like `lines`).
    public var summary: String {
        let valid = verdicts.filter(\.isValid).count
        let unattested = verdicts.filter { if case .success(let a) = $0.result { return !a.attested } else { return false } }.count
        var s = "\(valid) of \(verdicts.count) proof\(verdicts.count == 1 ? "" : "s") valid against bundle \(short(bundle.digestHex)) (\(bundle.circuitName), publisher \(short(bundle.publisherKeyID)), checked at \(RFC3339.format(at)))"
        if unattested > 0 { s += "; \(unattested) UNATTESTED" }
        return displaySafe(s)
    }

    /// The machine-readable verdict (`zkmargin-verify --json`,
    /// `zkmargin/verdict@1`, SPEC.md §16.15) of this report alone.
    public var json: String { json(hint: { _ in nil }) }

    /// The machine-readable verdict; a rejected proof's `error` object gets
    /// a `hint` member where `hint(error)` gives one.
    public func json(hint: (SolvencyError) -> String?) -> String {
        VerificationRun(reports: [self], files: [nil], order: verdicts.indices.map { (0, $0) }, requested: FreshnessPolicy(), at: at).json(hint: hint)
    }

    /// The JSON for input the verifier cannot use (no verdict at all):
    /// `valid` false, an `error` with exactly `code` and `message` (and
    /// `hint` if given), no bundles, no proofs.
    public static func errorJSON(code: String, message: String, hint: String? = nil) -> String {
        var error = JSONObject([("code", .string(code)), ("message", .string(message))])
        if let hint { error["hint"] = .string(hint) }
        let o = JSONObject([("format", .string(VerificationRun.formatName)), ("valid", .bool(false)), ("error", .object(error)),
                            ("bundles", .array([])), ("proofs", .array([]))])
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }

    /// `errorJSON(code:message:hint:)` for a library error: its code and
    /// description.
    public static func errorJSON(_ error: SolvencyError, hint: String? = nil) -> String {
        errorJSON(code: error.code, message: error.description, hint: hint)
    }
}

/// The verdicts of one `zkmargin-verify` run: proofs checked against one
/// or more bundles (each proof against the bundle it names), in the order
/// the proofs were given.
public struct VerificationRun: Sendable {
    public static let formatName = "zkmargin/verdict@1"

    public let reports: [VerificationReport]
    /// The file each report's bundle was read from (nil when not from a file).
    public let files: [String?]
    /// Per proof, in the order given: its report and its place there.
    let order: [(report: Int, verdict: Int)]
    /// What the verifier asked of every proof.
    public let requested: FreshnessPolicy
    /// The covenants it asked every proof to prove.
    public var covenants: [Covenant] = []
    /// The epoch index every proof had to be in (`--index`), if any.
    public var index: EpochIndexCheck? = nil
    public let at: Date

    init(reports: [VerificationReport], files: [String?], order: [(report: Int, verdict: Int)], requested: FreshnessPolicy, at: Date) {
        self.reports = reports
        self.files = files
        self.order = order
        self.requested = requested
        self.at = at
    }

    /// Every verdict, in the order the proofs were given, with its report.
    public var verdicts: [(report: VerificationReport, verdict: ProofVerdict)] {
        order.map { (reports[$0.report], reports[$0.report].verdicts[$0.verdict]) }
    }

    public var allValid: Bool { !order.isEmpty && verdicts.allSatisfy { $0.verdict.isValid } }

    /// One line per proof in the order given, then one summary per bundle.
    public func lines(hint: (SolvencyError) -> String?) -> [String] {
        let perReport = reports.map { $0.lines(hint: hint) }
        return order.map { perReport[$0.report][$0.verdict] } + reports.filter { !$0.verdicts.isEmpty }.map(\.summary) + (index.map { [$0.summary] } ?? [])
    }

    /// The machine-readable verdict, `zkmargin/verdict@1` (SPEC.md §16.15).
    public func json(hint: (SolvencyError) -> String?) -> String {
        func time(_ d: Date?) -> JSONValue { d.map { .string(RFC3339.format($0)) } ?? .null }
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        let bundles: [JSONValue] = zip(reports, files).map { r, file in
            let b = r.bundle
            return .object(JSONObject([
                ("file", text(file)),
                ("digest", .string(b.digestHex)),
                ("circuit", .string(b.circuitName)),
                ("venue", .string(b.values.venue)),
                ("epoch", .string(b.epoch)),
                ("curve", .string(b.curve.rawValue)),
                ("publisher", .object(JSONObject([("key_id", .string(b.publisherKeyID)), ("name", text(r.publisher.name))]))),
                ("issued_at", time(b.issuedAt)),
                ("valid_until", time(b.validUntil)),
            ]))
        }
        let proofs: [JSONValue] = verdicts.map { report, v in
            var o = JSONObject([("file", .string(v.name)), ("valid", .bool(v.isValid))])
            switch v.result {
            case .success(let a):
                o["status"] = .string(a.attested ? "VALID" : "VALID (UNATTESTED)")
                o["bundle"] = .string(report.bundle.digestHex)
                o["account"] = .string(a.account)
                o["attested"] = .bool(a.attested)
                o["custodian"] = a.custodianKeyID.map { .object(JSONObject([("key_id", .string($0)), ("name", text(a.custodianName))])) } ?? .null
                o["statement_issued_at"] = time(a.statementIssuedAt)
                o["requirements"] = .array(a.requirements.map { .string($0) })
                o["not_held"] = .array(a.excludedElements.map { .string($0) })
                o["covenants"] = .array(a.covenants.map { .string($0) })
                o["challenge"] = text(a.binding.challenge)
                o["audience"] = text(a.binding.audience)
            case .failure(let e):
                o["status"] = .string("INVALID")
                var error = JSONObject([("code", .string(e.code)), ("message", .string(e.description))])
                if let h = hint(e) { error["hint"] = .string(h) }
                o["error"] = .object(error)
            }
            return .object(o)
        }
        var o = JSONObject([
            ("format", .string(Self.formatName)),
            ("valid", .bool(allValid)),
            ("at", time(at)),
            ("requested", .object(JSONObject([
                ("challenge", text(requested.challenge)),
                ("audience", text(requested.audience)),
                ("max_age_seconds", requested.maximumAge.map { .number(String(Int($0))) } ?? .null),
                ("covenants", .array(covenants.map { .string($0.text) })),
            ]))),
            ("bundles", .array(bundles)),
        ])
        if let index { o["index"] = index.json }
        o["proofs"] = .array(proofs)
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }
}
