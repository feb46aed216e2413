import ArgumentParser
import MarginCircuits
import Solvency
import ZKMarginCLI

/// `zkmargin-verify`: the verifier alone. Exit status 0 when every proof is
/// valid, 1 when any is invalid, 2 on unusable input (an unreadable or
/// untrusted bundle, unreadable keys), 64 on a usage error.
@main
struct ZKMarginVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zkmargin-verify",
        abstract: "Verify zkmargin proofs against a signed risk bundle and public keys.",
        discussion: """
        Checks that the bundle is signed by the publisher key and valid at --at (default: \
        now), recompiles its circuit (the constraints are never read from a proof), checks \
        each proof's custodian statement against the custodian key, and verifies all the \
        range proofs in one batch. Prints one line per proof, VALID or INVALID with the \
        reason, then a summary; --json prints one JSON object instead.

        Self-attested proofs (no custodian) are rejected unless --allow-self-attested is \
        given, and are then reported as VALID (UNATTESTED): nobody vouches for their inputs.

        Exit status: 0 every proof valid; 1 some proof invalid; 2 unusable input (a bundle \
        or key that cannot be read, a bundle not signed by the publisher key, or outside \
        its validity window); 64 usage error (bad arguments: a missing or unknown option, \
        no proof file, a malformed --at). This is a change: usage errors used to exit 2; \
        zkmargin and zkmargin-verify now share one table of exit statuses (README.md).

        Freshness and audience. Without them a proof is a bearer document: anyone it is \
        shown to can show it on while its bundle is valid. --challenge (alone) prints a \
        fresh random nonce; send it to the account holder, who proves with \
        `zkmargin prove --challenge NONCE`; then --expect-challenge NONCE refuses any proof \
        not made in answer to it (an older proof, or one made for another request). --for \
        NAME refuses a proof not made for NAME (`zkmargin prove --for NAME`). --max-age \
        DURATION (30m, 24h, 7d, 1h30m) refuses a proof whose custodian statement was \
        issued longer than DURATION before the time checked; a self-attested proof has no \
        signed time and is then refused (ask for a challenge instead).

        Trusted keys. --trust TRUST.json (zkmargin/trust@1, SPEC.md §16.14) replaces \
        --publisher-key and --custodian-key: named publisher and custodian keys with \
        validity periods and revocations; the report names the key that vouched for each \
        bundle and statement. Repeat --bundle to check proofs from several venues in one \
        run; each proof is checked against the bundle it names. --json prints \
        zkmargin/verdict@1 (SPEC.md §16.15).

        Epochs. A directory argument is an epoch directory: every DIR/proofs/<L>.json in \
        it, in name order, read one at a time and verified in bounded batches, with the \
        same verdict each would get alone. --index INDEX.json (zkmargin index) checks the \
        custodian's signed epoch index (signed by the custodian key or a custodian of \
        --trust, for the bundle and its epoch; else exit 2), and refuses as notInIndex any \
        proof whose inclusion proof (DIR/inclusion/<L>.json, or --inclusion-dir) does not \
        show that very file, and the statement it was made from, under the signed root: \
        one statement per account per epoch (SPEC.md §16.19).

        Examples:
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem proof.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem --json proofs/*.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --allow-self-attested --at 2025-11-25T12:30:00Z proof.json
          nonce=$(zkmargin-verify --challenge)
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem --expect-challenge "$nonce" \\
              --for "Acme Lending" --max-age 24h proof.json
          zkmargin-verify --trust trust.json --bundle venue-a.json \\
              --bundle venue-b.json --json proofs/*.json
          zkmargin-verify --bundle bundle.json --publisher-key publisher.pub.pem \\
              --custodian-key custodian.pub.pem --index index.json epoch/
        """
    )

    @Option(name: .customLong("bundle"), help: ArgumentHelp("The publisher's signed risk bundle; repeat it to check proofs from several venues in one run (each proof against the bundle it names).", valueName: "BUNDLE.json"))
    var bundles: [String] = []

    @Option(help: ArgumentHelp("A trust store (zkmargin/trust@1): named publisher and custodian keys with validity periods and revocations, instead of --publisher-key and --custodian-key.", valueName: "TRUST.json"))
    var trust: String?

    @OptionGroup var publisherKey: OptionalPublisherKeyOption

    @OptionGroup var custodianKey: OptionalCustodianKeyOption

    @OptionGroup var at: AtOption

    @Flag(help: "Accept self-attested proofs (reported as UNATTESTED).")
    var allowSelfAttested = false

    @Flag(help: "Print a machine-readable verdict.")
    var json = false

    @Flag(help: "Print a fresh random challenge (64 hex digits) for a prover's --challenge, and nothing else.")
    var challenge = false

    @Option(name: .customLong("require"), help: ArgumentHelp("Refuse a proof that does not prove this covenant, for every requirement or one named ('excess >= 250000', 'equity >= 1.5 * requirement', 'maintenance: excess >= 0.1'); a proof of a stronger one is accepted (repeatable).", valueName: "COVENANT"))
    var covenants: [String] = []

    @Option(help: ArgumentHelp("Refuse any proof not made in answer to this challenge.", valueName: "NONCE"))
    var expectChallenge: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("Refuse any proof not made for this audience (your name, as given to the prover).", valueName: "NAME"))
    var audience: String?

    @Option(help: ArgumentHelp("Refuse a proof whose custodian statement is older than this at the time checked (30m, 24h, 7d, 1h30m); self-attested proofs have no signed time and are refused.", valueName: "DURATION"))
    var maxAge: String?

    @Option(help: ArgumentHelp("The custodian's signed epoch index (zkmargin index): refuse any proof it does not name for its account (notInIndex).", valueName: "INDEX.json"))
    var index: String?

    @Option(help: ArgumentHelp("Where the inclusion proofs are (<L>.json each), with --index; default: the epoch directory's inclusion/ (DIR/proofs/F → DIR/inclusion/), else inclusion/ next to the proof.", valueName: "DIR"))
    var inclusionDir: String?

    @Argument(help: ArgumentHelp("The proofs to verify; a directory is an epoch directory and stands for every DIR/proofs/<L>.json in it.", valueName: "PROOF.json | DIR"))
    var proofs: [String] = []

    static func main() { Tool.main(ZKMarginVerify.self) }

    func validate() throws {
        if challenge {
            guard bundles.isEmpty, trust == nil, publisherKey.path == nil, custodianKey.path == nil, at.time == nil, !allowSelfAttested, !json,
                  expectChallenge == nil, audience == nil, maxAge == nil, covenants.isEmpty, proofs.isEmpty, index == nil, inclusionDir == nil else {
                throw ValidationError("--challenge prints a nonce and takes no other argument")
            }
            return
        }
        guard !bundles.isEmpty else { throw ValidationError("missing --bundle BUNDLE.json") }
        if trust != nil {
            guard publisherKey.path == nil, custodianKey.path == nil else {
                throw ValidationError("--trust names every trusted key: give it instead of --publisher-key and --custodian-key")
            }
        } else {
            guard publisherKey.path != nil else { throw ValidationError("missing --publisher-key PUBLISHER.pub.pem (or --trust TRUST.json)") }
        }
        if proofs.isEmpty { throw ValidationError("no proof file given") }
        if inclusionDir != nil, index == nil { throw ValidationError("--inclusion-dir goes with --index INDEX.json") }
        if index != nil, trust == nil, custodianKey.path == nil {
            throw ValidationError("--index: the epoch index is signed by the custodian; give its key with --custodian-key CUSTODIAN.pub.pem (or --trust TRUST.json)")
        }
        if let c = expectChallenge, let problem = ProofBinding.challengeProblem(c) { throw ValidationError("--expect-challenge: \(problem)") }
        if let a = audience, let problem = ProofBinding.audienceProblem(a) { throw ValidationError("--for: \(problem)") }
        for c in covenants {
            do { _ = try Covenant(parsing: c) } catch { throw ValidationError("--require: \(error)") }
        }
        if let m = maxAge, DurationText.parse(m) == nil {
            throw ValidationError("--max-age \(m): expected a positive duration such as 30m, 24h, 7d or 1h30m")
        }
    }

    var freshness: FreshnessPolicy {
        FreshnessPolicy(challenge: expectChallenge, audience: audience, maximumAge: maxAge.flatMap(DurationText.parse))
    }

    /// Verifies and prints the report; throws `ExitStatus.invalid` if some
    /// proof is invalid. Unusable input is thrown to the runner (one error
    /// line), or with --json printed as JSON on standard output.
    func run() throws {
        if challenge {
            print(ProofBinding.freshChallenge())
            return
        }
        let report: VerificationRun
        do {
            report = try Workflow.verify(bundlePaths: bundles, proofPaths: try ProofArguments.expand(proofs), policy: try policy(),
                                         indexPath: index, inclusionDirectory: inclusionDir)
        } catch {
            guard json else { throw error }
            print(VerificationReport.errorJSON(error, hint: Self.hint(error)), terminator: "")
            throw ExitStatus(for: error)
        }
        if json {
            print(report.json(hint: Self.hint), terminator: "")
        } else {
            for line in report.lines(hint: Self.hint) { print(line) }
        }
        if !report.allValid { throw ExitStatus.invalid }
    }

    /// The keys trusted (the trust store, or the two keys given; validate()
    /// has checked that one of them is), the time and what each proof must be.
    func policy() throws(SolvencyError) -> VerificationPolicy {
        let store: TrustStore
        if let trust {
            store = try TrustStore.load(path: trust)
        } else {
            store = TrustStore(publisher: try Workflow.loadVerifyingKey(path: publisherKey.path!),
                               custodian: try custodianKey.path.map { path throws(SolvencyError) in try Workflow.loadVerifyingKey(path: path) })
        }
        var policy = VerificationPolicy(trust: store, at: at.date, allowSelfAttested: allowSelfAttested, freshness: freshness)
        // validate() has parsed each.
        policy.covenants = covenants.compactMap { try? Covenant(parsing: $0) }
        return policy
    }

    /// The flag that remedies a proof's rejection, if one does.
    static func hint(_ error: SolvencyError) -> String? { Remedy(for: error)?.hint }
}
