// zkmargin-ctcheck: the dynamic constant-time check, in the way of
// libsecp256k1's `ctime_tests`. Run under valgrind's memcheck by
// scripts/ctcheck.sh (release build): every secret is marked undefined as
// soon as it is in memory (ConstantTimeCheck), so memcheck reports any
// conditional branch or memory address that depends on one. Published
// outputs, and the deliberate decisions listed in SECURITY.md ("Constant
// time"), are declassified by named calls in the libraries.
//
//   zkmargin-ctcheck [--curve p256|secp256k1] [--iterations N]
//       the check, on both curves (or the one named): commitments, the
//       custodian's attestation of an account, the prover from the
//       custodian's files (also hiding among an anonymity set, and, on P-256,
//       self-attested), range proofs; each step's time under valgrind is logged
//   zkmargin-ctcheck leak-branch | leak-index
//       self-tests that MUST be reported: a branch on a marked scalar, and a
//       table index from a scalar the DRBG drew (marked by the library's hook)
//
// Exit status: 0 done (valgrind decides: --error-exitcode=1), 2 usage,
// 3 the check would pass vacuously (not under valgrind, the client requests
// not compiled in, or a secret found unmarked), 4 an output was wrong (a
// proof that does not verify, a missing output).

import Foundation
import MarginCircuits
import Solvency
import ZKGroup
import ZKProofs

@main
struct CTCheck {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var curves = Curve.allCases
        var iterations = 1
        var mode = "check"
        while let argument = arguments.first {
            arguments.removeFirst()
            switch argument {
            case "--curve":
                guard let name = arguments.first, let c = Curve(name: name) else { usage() }
                arguments.removeFirst()
                curves = [c]
            case "--iterations":
                guard let text = arguments.first, let n = Int(text), n >= 1 else { usage() }
                arguments.removeFirst()
                iterations = n
            case "leak-branch", "leak-index":
                mode = argument
            default:
                usage()
            }
        }

        // Refuse to pass vacuously: without the client requests, or outside
        // valgrind, marking does nothing and nothing could be reported.
        guard ConstantTimeCheck.isCompiledIn else {
            fail(3, "the valgrind client requests were not compiled in (install valgrind's headers, then rebuild)")
        }
        guard ConstantTimeCheck.isRunningOnValgrind else {
            fail(3, "not running under valgrind: run scripts/ctcheck.sh")
        }

        switch mode {
        case "leak-branch": leakBranch()
        case "leak-index": leakIndex()
        default:
            for curve in curves {
                let start = Date()
                for i in 0..<iterations { check(curve, iteration: i) }
                log("\(curve): \(iterations) iteration(s) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            }
        }
    }

    // MARK: Self-tests (must be reported)

    /// A conditional branch on a scalar marked through the package API.
    static func leakBranch() {
        var s = Scalar(12345, curve: .p256)
        ConstantTimeCheck.markSecret(&s)
        if s.isZero { log("zero") } else { log("nonzero") }
        log("leak-branch: done (valgrind must have reported a conditional jump)")
    }

    /// A table index from a scalar drawn by `Scalar.random`, marked by the
    /// DRBG hook (nothing marked here).
    static func leakIndex() {
        ConstantTimeCheck.isChecking = true
        let s = Scalar.random(.p256)
        ConstantTimeCheck.isChecking = false
        let table = (0..<256).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let byte = s.bytes[0]
        let looked = table.withUnsafeBufferPointer { $0[Int(byte)] }
        log("leak-index: \(ConstantTimeCheck.declassified(looked) == 255 ? "odd" : "done") (valgrind must have reported an uninitialised address)")
    }

    // MARK: The check

    static func check(_ curve: Curve, iteration: Int) {
        let generators = Generators.standard(curve)
        _ = generators.vectors(256)     // public: derived before the region

        var clock = Date()
        /// Logs how long the step since the last call took (under valgrind).
        func step(_ name: String) {
            let now = Date()
            log("  \(curve) #\(iteration) \(name): \(String(format: "%.1f", now.timeIntervalSince(clock))) s")
            clock = now
        }

        // Public setup: a publisher's bundle for the example circuit.
        let publisher = SigningKey.generate()
        let bundle: RiskBundle
        let account: Account, smallAccount: Account
        do {
            bundle = try RiskBundle.publish(values: Array(ExampleData.crossMarginValues.utf8), circuitName: "cross-margin",
                                            circuitSource: ExampleData.crossMarginSource, curve: curve,
                                            validUntil: Date().addingTimeInterval(3600), key: publisher)
            account = try Account.decode(from: Data(ExampleData.solventAccount.utf8))
            smallAccount = try Account.decode(from: Data(#"""
                {"account": "ctcheck/one-position", "balances": {"USDC": "50000"},
                 "positions": {"BTC-PERP": {"size": "0.25", "entry_price": "96000"}}}
                """#.utf8))
        } catch {
            fail(4, "setup: \(error)")
        }
        // The custodian's private key, secret once its PEM is in memory
        // (keygen itself is OpenSSL's).
        var custodianPEM = SigningKey.generate().pemRepresentation()
        defer { secureZero(&custodianPEM) }

        ConstantTimeCheck.isChecking = true

        step("setup (public)")
        // 1. Commitments to secret values: zero, one, small, the largest
        // 64-bit value, a full-size random scalar.
        var values = [Scalar.zero(curve), .one(curve), Scalar(1_000_000, curve: curve),
                      Scalar(UInt64.max, curve: curve), Scalar.random(curve)]
        ConstantTimeCheck.markSecret(&values)
        let openings = values.map { Opening.random(value: $0) }   // blindings: marked by the DRBG hook
        for o in openings {
            requireMarked(o.value, "a committed value")
            requireMarked(o.blinding, "a blinding factor from the DRBG")
        }
        let commitments = openings.map { Commitment($0, generators: generators) }
        let published = commitments.map { try? $0.encoded() }

        step("commitments")
        // 2. The custodian's attestation (what `zkmargin attest` does after
        // reading its files): key loading, commitments to every input, the
        // signed statement, the openings file's bytes.
        ConstantTimeCheck.markSecret(&custodianPEM)
        let attested: AttestedStatement
        let custodianKey: VerifyingKey
        var openingsFile: [UInt8]
        do {
            let key = try SigningKey(pemRepresentation: custodianPEM)
            custodianKey = key.verifyingKey
            let (statement, secrets) = try Custodian.attest(bundle: bundle, account: account, key: key, publisherKey: publisher.verifyingKey)
            attested = statement
            for e in secrets.entries {
                requireMarked(e.opening.value, "a value the custodian commits to")
                requireMarked(e.opening.blinding, "a custodian's blinding factor")
            }
            openingsFile = secrets.encoded()
        } catch {
            fail(4, "attest: \(error)")
        }
        defer { secureZero(&openingsFile) }
        let statementFile = attested.encoded()

        step("attestation")
        // 3. The prover from the custodian's files (what `zkmargin prove`
        // does once they are read): the openings parsed (values and
        // blindings secret from there), checked against the statement, the
        // helpers committed, the range proofs of the circuit's plan, the
        // proof file's bytes.
        let marginProof: [UInt8]
        do {
            let loaded = try Openings(encoded: openingsFile)
            for e in loaded.entries { requireMarked(e.opening.blinding, "a blinding factor read from the openings file") }
            let proof = try Prover.prove(bundle: bundle, statement: attested, openings: loaded,
                                         publisherKey: publisher.verifyingKey, custodianKey: custodianKey)
            marginProof = proof.encoded()
        } catch {
            fail(4, "prove from the openings: \(error)")
        }

        step("prover from the custodian's files")
        // 3b. An account that holds one of the two instruments, attested and
        // proven hiding among that one (the other's inputs shown to open to
        // zero: a zero opening); and, on P-256 only, proven self-attested
        // (both bounds of every input: the costliest step under valgrind; the same
        // commitments and prover on secp256k1's arithmetic as the steps
        // around it).
        let hidingProof: [UInt8], selfAttestedProof: [UInt8]?
        do {
            let key = try SigningKey(pemRepresentation: custodianPEM)
            let (statement, secrets) = try Custodian.attest(bundle: bundle, account: smallAccount, key: key,
                                                            publisherKey: publisher.verifyingKey)
            hidingProof = try Prover.prove(bundle: bundle, statement: statement, openings: secrets,
                                           publisherKey: publisher.verifyingKey, custodianKey: custodianKey,
                                           hidingAmong: AnonymitySet(["BTC-PERP"])).encoded()
            step("hiding among one instrument")
            selfAttestedProof = curve != .p256 ? nil
                : try Prover.proveSelfAttested(bundle: bundle, account: smallAccount, publisherKey: publisher.verifyingKey).encoded()
        } catch {
            fail(4, "prove hiding among one instrument, or self-attested: \(error)")
        }

        step("self-attested")
        // 4. Range proofs on the commitments above: four 64-bit forms, one
        // of them a sum (v₀ + v₂); and a second, narrower statement with
        // padding bits (widths 8 and 1 in 8-bit blocks).
        let x = { (i: Int) in AffineForm.variable(i, curve: curve) }
        let sum = AffineForm(curve: curve, terms: [(0, .one(curve)), (2, .one(curve))])
        var proofs: [(RangeProof, RangeStatement)] = []
        do {
            let wide = try RangeStatement(curve: curve, bits: 64, widths: [64, 64, 64, 64], commitments: commitments,
                                          forms: [x(1), x(2), sum, x(3)], context: Array("ctcheck/\(iteration)".utf8))
            let narrow = try RangeStatement(curve: curve, bits: 8, widths: [8, 1], commitments: Array(commitments.prefix(2)),
                                            forms: [x(1), x(0)], context: Array("ctcheck/narrow/\(iteration)".utf8))
            for statement in [wide, narrow] {
                var random = SystemRandom()
                let proof = try BulletproofsPlus.prove(statement, openings: Array(openings.prefix(statement.commitments.count)),
                                                       generators: generators, using: &random)
                _ = proof.encoded()
                proofs.append((proof, statement))
            }
        } catch {
            fail(4, "prove: \(error)")
        }

        ConstantTimeCheck.isChecking = false
        step("range proofs")

        // Outside the region, on public data: the outputs are right.
        do {
            for (proof, statement) in proofs { try BulletproofsPlus.verify(proof, for: statement, generators: generators) }
        } catch {
            fail(4, "a range proof made under the check does not verify: \(error)")
        }
        guard published.allSatisfy({ $0 != nil }), attested.commitments.count > 0, !statementFile.isEmpty, !openingsFile.isEmpty
        else { fail(4, "an output is missing") }
        do {
            let policy = VerificationPolicy(publisherKey: publisher.verifyingKey, custodianKey: custodianKey, allowSelfAttested: true)
            var proofs = [(name: "ctcheck", bytes: marginProof), (name: "hiding", bytes: hidingProof)]
            if let selfAttestedProof { proofs.append((name: "self-attested", bytes: selfAttestedProof)) }
            let report = try Verifier.verify(bundle: bundle, proofs: proofs, policy: policy)
            guard report.allValid else { fail(4, "a margin proof made under the check does not verify") }
        } catch {
            fail(4, "verify the margin proof: \(error)")
        }
        step("verification (public, outside the region)")
    }

    // MARK: Support

    /// Refuses to go on when a secret is not marked (memcheck's metadata):
    /// the check would pass without looking.
    static func requireMarked(_ s: Scalar, _ what: String) {
        guard ConstantTimeCheck.isMarkedSecret(s) else { fail(3, "\(what) is not marked secret: the check would be vacuous") }
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("zkmargin-ctcheck: \(message)\n".utf8))
    }

    static func fail(_ status: Int32, _ message: String) -> Never {
        log(message)
        exit(status)
    }

    static func usage() -> Never {
        fail(2, "usage: zkmargin-ctcheck [--curve p256|secp256k1] [--iterations N] | leak-branch | leak-index")
    }
}
