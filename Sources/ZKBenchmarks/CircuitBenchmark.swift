import Foundation
package import MarginCircuits
import Solvency
package import ZKGroup
import ZKTestSupport

/// Measurements behind `zkmargin bench circuits`: the whole flow (attest,
/// prove, verify, file size) of a shipped circuit on a venue-sized book,
/// attested and self-attested, hiding among every instrument and among the
/// account's own holdings only.
package enum CircuitBenchmark {
    /// What one book is measured on.
    package struct Book: Sendable {
        package let circuit: String
        package let circuitSource: String
        package let values: [UInt8]
        package let account: Account
        /// The instruments the account holds (nonzero size): the smallest
        /// anonymity set it can hide among.
        package var held: Set<String> { Set(account.positions.filter { !$0.value.size.isZero }.keys) }
    }

    /// One measured flow.
    package struct Row: Sendable {
        package let circuit: String
        package let instruments: Int
        /// "attested" or "self".
        package let mode: String
        /// The anonymity set's size; nil: every instrument.
        package let anonymitySet: Int?
        /// Of the statement proven (for the anonymity set).
        package let inputs: Int
        package let helpers: Int
        package let constraints: Int
        /// Median milliseconds; attest only for attested flows.
        package let attestMilliseconds: Double?
        package let proveMilliseconds: Double
        package let verifyMilliseconds: Double
        package let proofBytes: Int
        package let rangeProofs: Int
    }

    /// The generator's parameters (`SyntheticBooks`), printed with the
    /// results so that they can be reproduced.
    package static let syntheticParameters: [(String, String)] = [
        ("generator", "SyntheticBooks (Sources/ZKTestSupport/SyntheticBooks.swift), SplitMix64 seed 11 for values, 5 for the account"),
        ("assets", "20 (A0…A19), prices 1.00 to 99 999.99, haircuts 0 to 0.29"),
        ("instruments", "I0…I(n−1), marks 1.00 to 99 999.99"),
        ("cross-margin", "mm_rate 0.0010 to 0.0499"),
        ("tiered-margin", "12 brackets: rates from 0.40–0.59 % rising by 0.25 points, floors doubling from 50 000, deductions keeping the margin continuous"),
        ("rounded-margin", "im_rate 0.02 to 0.20, mm_fraction 0.5 or 0.6, quantum 10^-6, no slack"),
        ("options-standard", "underlying 1.00 to 99 999.99, mm_rate 0.075"),
        ("portfolio-margin", "16 scenarios, losses −10 000 to 10 000 per unit, a short-option minimum on every other instrument"),
        ("account", "every 7th instrument held, sizes −10 to 10 (3 decimals), entry prices 0 to 9 999.99; balances A0 10 000 000, A3 12.5"),
    ]

    /// A synthetic book of `instruments` instruments for `circuit`.
    package static func syntheticBook(circuit: String, circuitSource: String, instruments: Int) -> Book {
        Book(circuit: circuit, circuitSource: circuitSource, values: Array(SyntheticBooks.values(circuit: circuit, instruments: instruments).utf8),
             account: SyntheticBooks.account(instruments: instruments))
    }

    /// A book from a values file: the account holds every 7th instrument
    /// (size 1, or the least multiple of the instrument's `size_step` above
    /// it, dYdX's PEPE lot being 10; entry price 1) and 10⁹ of every asset.
    package static func book(values: [UInt8], circuitSource: String) throws -> Book {
        let v = try RiskValues.decode(from: Data(values))
        let instruments = v.ids(of: "instruments") ?? []
        var positions: [String: Account.Position] = [:]
        for (k, id) in instruments.enumerated() where k % 7 == 0 {
            let step = v.field("size_step", of: id, in: "instruments") ?? .one
            let size = Rational(BigInt.ceilingDivide(step.denominator, step.numerator)) * step
            positions[id] = Account.Position(size: k % 2 == 0 ? size : -size, entryPrice: .one)
        }
        var balances: [String: Rational] = [:]
        for id in v.ids(of: "assets") ?? [] { balances[id] = Rational(1_000_000_000) }
        return Book(circuit: v.circuit, circuitSource: circuitSource, values: values,
                    account: Account(label: "bench", balances: balances, positions: positions))
    }

    /// The flows of `book` (`modes`: "attested" and "self", each hiding
    /// among all instruments and among the held ones), `iterations` runs of
    /// each (medians). `progress` gets a line before each step.
    package static func measure(_ book: Book, curve: Curve, iterations: Int, modes: [String] = ["attested", "self"],
                                progress: (String) -> Void) throws -> [Row] {
        let now = Date()
        let publisher = SigningKey.generate(), custodian = SigningKey.generate()
        let circuitName = try RiskValues.decode(from: Data(book.values)).circuit
        let bundle = try RiskBundle.publish(values: book.values, circuitName: circuitName, circuitSource: book.circuitSource, curve: curve,
                                            issuedAt: now.addingTimeInterval(-60), validUntil: now.addingTimeInterval(86_400), key: publisher)
        let compiled = try bundle.compiled()
        let instruments = bundle.values.ids(of: "instruments")?.count ?? 0
        // The smallest set the account can hide among (one element if it
        // holds nothing); none for a circuit without positions.
        let smallest = book.held.isEmpty ? Array(compiled.positionElements.prefix(1)) : Array(book.held)
        let held = smallest.isEmpty ? nil : try AnonymitySet(smallest)
        let policy = VerificationPolicy(publisherKey: publisher.verifyingKey, custodianKey: custodian.verifyingKey, at: now, allowSelfAttested: true)
        let runs = max(1, iterations)
        var rows: [Row] = []

        progress("\(book.circuit), \(instruments) instruments: attest")
        var attestTimes: [Double] = []
        var attested: (statement: AttestedStatement, openings: Openings)!
        for _ in 0..<runs {
            attestTimes.append(try RangeProofBenchmark.time { attested = try Custodian.attest(bundle: bundle, account: book.account, key: custodian, at: now) })
        }
        for mode in modes {
            for set in held.map({ [nil, $0] }) ?? [nil] {
                let label = "\(book.circuit), \(instruments) instruments, \(mode), \(set.map { "hiding among \($0.elements.count)" } ?? "hiding among all")"
                progress("\(label): prove")
                var proof: MarginProof!
                var proveTimes: [Double] = []
                for _ in 0..<runs {
                    proveTimes.append(try RangeProofBenchmark.time {
                        if mode == "attested" {
                            proof = try Prover.prove(bundle: bundle, statement: attested.statement, openings: attested.openings, at: now, hidingAmong: set)
                        } else {
                            proof = try Prover.proveSelfAttested(bundle: bundle, account: book.account, at: now, hidingAmong: set)
                        }
                    })
                }
                let bytes = proof.encoded()
                progress("\(label): verify")
                var verifyTimes: [Double] = []
                for _ in 0..<runs {
                    var report: VerificationReport!
                    verifyTimes.append(try RangeProofBenchmark.time { report = try Verifier.verify(bundle: bundle, proofs: [("bench", bytes)], policy: policy) })
                    guard report.allValid else { throw BenchmarkFailure.proofRejected(label) }
                }
                let statement = try set.map { try compiled.hidingAmong($0.elements) } ?? compiled
                rows.append(Row(circuit: book.circuit, instruments: instruments, mode: mode, anonymitySet: set?.elements.count,
                                inputs: mode == "attested" ? statement.inputs.count : proof.committedInputs.count, helpers: statement.helpers.count,
                                constraints: statement.constraints.count, attestMilliseconds: mode == "attested" ? RangeProofBenchmark.median(attestTimes) : nil,
                                proveMilliseconds: RangeProofBenchmark.median(proveTimes), verifyMilliseconds: RangeProofBenchmark.median(verifyTimes),
                                proofBytes: bytes.count, rangeProofs: proof.rangeProofs.count))
            }
        }
        return rows
    }
}

/// A benchmark whose own flow failed: a bug, never a measurement.
package enum BenchmarkFailure: Error, CustomStringConvertible {
    case proofRejected(String)

    package var description: String {
        switch self {
        case .proofRejected(let what): return "the verifier rejected the benchmark's own proof (\(what)): a bug, please report it"
        }
    }
}
