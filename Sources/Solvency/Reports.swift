import Foundation
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

    /// The machine-readable verdict (`zkmargin-verify --json`).
    public var json: String { json(hint: { _ in nil }) }

    /// The machine-readable verdict; a rejected proof's `error` object gets
    /// a `hint` member where `hint(error)` gives one.
    public func json(hint: (SolvencyError) -> String?) -> String {
        let proofs: [JSONValue] = verdicts.map { v in
            var o = JSONObject([("file", .string(v.name)), ("valid", .bool(v.isValid))])
            switch v.result {
            case .success(let a):
                o["status"] = .string(a.attested ? "VALID" : "VALID (UNATTESTED)")
                o["attested"] = .bool(a.attested)
                o["account"] = .string(a.account)
                o["custodian"] = a.custodianKeyID.map { .string($0) } ?? .null
                o["requirements"] = .array(a.requirements.map { .string($0) })
                o["not_held"] = .array(a.excludedElements.map { .string($0) })
                o["challenge"] = a.binding.challenge.map { .string($0) } ?? .null
                o["audience"] = a.binding.audience.map { .string($0) } ?? .null
                o["statement_issued_at"] = a.statementIssuedAt.map { .string(RFC3339.format($0)) } ?? .null
            case .failure(let e):
                o["status"] = .string("INVALID")
                var error = JSONObject([("code", .string(e.code)), ("message", .string(e.description))])
                if let h = hint(e) { error["hint"] = .string(h) }
                o["error"] = .object(error)
            }
            return .object(o)
        }
        let o = JSONObject([
            ("valid", .bool(allValid)),
            ("bundle", .object(JSONObject([
                ("digest", .string(bundle.digestHex)),
                ("circuit", .string(bundle.circuitName)),
                ("venue", .string(bundle.values.venue)),
                ("epoch", .string(bundle.epoch)),
                ("curve", .string(bundle.curve.rawValue)),
                ("publisher", .string(bundle.publisherKeyID)),
                ("valid_until", .string(RFC3339.format(bundle.validUntil))),
            ]))),
            ("at", .string(RFC3339.format(at))),
            ("proofs", .array(proofs)),
        ])
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }

    /// The JSON for input the verifier cannot use (no verdict at all):
    /// `valid` false, an `error` with exactly `code` and `message` (and
    /// `hint` if given), no proofs.
    public static func errorJSON(code: String, message: String, hint: String? = nil) -> String {
        var error = JSONObject([("code", .string(code)), ("message", .string(message))])
        if let hint { error["hint"] = .string(hint) }
        let o = JSONObject([("valid", .bool(false)), ("error", .object(error)), ("proofs", .array([]))])
        return String(decoding: JSONValue.object(o).encoded(), as: UTF8.self)
    }

    /// `errorJSON(code:message:hint:)` for a library error: its code and
    /// description.
    public static func errorJSON(_ error: SolvencyError, hint: String? = nil) -> String {
        errorJSON(code: error.code, message: error.description, hint: hint)
    }
}
