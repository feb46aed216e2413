import Foundation
import MarginCircuits
import StrictJSON
import Synchronization
import ZKGroup

/// The elements a holder hides among: the proof shows every other element
/// of the sets that index positions to be held at zero, and hides which of
/// these the account holds (`CompiledStatement.hidingAmong`). Elements
/// outside the set are disclosed as not held; by default a proof hides
/// among all.
public struct AnonymitySet: Sendable {
    public let elements: Set<String>

    /// Element ids as given on the command line or in a file: each a
    /// nonempty identifier in NFC (compared by bytes, like every id), at
    /// least one.
    public init(_ ids: [String]) throws(SolvencyError) {
        for id in ids {
            if let problem = identifierProblem(id, maxBytes: FormatLimits.maximumIdentifierBytes) {
                throw .invalidArgument("--hide-among \(jsonQuoted(id)) \(problem)")
            }
        }
        guard !ids.isEmpty else { throw .invalidArgument("an anonymity set needs at least one element") }
        elements = Set(ids)
    }

    /// Reads a file of element ids, one per line; blank lines and lines
    /// starting with `#` are ignored, spaces around an id are not part of it.
    public static func load(path: String) throws(SolvencyError) -> AnonymitySet {
        let bytes = try FileIO.read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("anonymity set", "\(displaySafe(path)) is not UTF-8 text")
        }
        var ids: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let id = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if id.isEmpty || id.hasPrefix("#") { continue }
            ids.append(id)
        }
        do { return try AnonymitySet(ids) } catch { throw error.inFile(path) }
    }
}

/// What a proof that hides among some instruments only is checked against:
/// the statement compiled with the other position elements fixed at zero
/// (`CompiledStatement.hidingAmong`) and its plans.
struct ProofScope: Sendable {
    let compiled: CompiledStatement
    private let plans: [AttestationMode: Result<ProofPlan, SolvencyError>]

    init(compiled: CompiledStatement) {
        self.compiled = compiled
        var plans: [AttestationMode: Result<ProofPlan, SolvencyError>] = [:]
        for mode in [AttestationMode.custodian, .selfAttested] {
            do { plans[mode] = .success(try ProofPlan(statement: compiled, mode: mode)) } catch { plans[mode] = .failure(error) }
        }
        self.plans = plans
    }

    /// The plan for proofs of `mode` (the same the prover derives).
    func plan(_ mode: AttestationMode) throws(SolvencyError) -> ProofPlan { try plans[mode]!.get() }

    /// The ids of the inputs a proof under `plan` carries commitments to.
    func committedInputIDs(_ plan: ProofPlan) -> [String] { plan.committedInputs.map { compiled.inputs[$0].id } }

    var helperIDs: [String] { compiled.helpers.map(\.id) }

    /// The statement for the holder that shows `excluded` not to be held.
    /// `excluded` must be exactly what hiding among the other position
    /// elements excludes, in the values' order: anything else (an unknown
    /// id, a repeated one, another order, an element that cannot be zero) is
    /// refused.
    static func compile(_ full: CompiledStatement, excluding excluded: [String]) throws(SolvencyError) -> CompiledStatement {
        guard !excluded.isEmpty else { return full }
        let elements = full.positionElements
        guard excluded.count < elements.count else {
            throw .proofMismatch("the proof shows all \(elements.count) position elements not held; a holder hides among at least one")
        }
        let excludedSet = Set(excluded)
        guard excludedSet.count == excluded.count else { throw .proofMismatch("the proof's excluded elements repeat one") }
        let scoped: CompiledStatement
        do { scoped = try full.hidingAmong(Set(elements.filter { !excludedSet.contains($0) })) } catch {
            throw .proofMismatch("the proof's excluded elements cannot be excluded: \(error)")
        }
        guard sameBytes(scoped.excludedElements, excluded) else {
            throw .proofMismatch("the proof's excluded elements are not elements of the bundle's position sets in their order")
        }
        return scoped
    }
}

/// Scopes compiled in this process, per bundle digest and excluded set, so
/// that proofs hiding among the same set are compiled once however many are
/// verified (or proven). Bounded: past `capacity` entries it starts over.
final class ProofScopes: Sendable {
    static let shared = ProofScopes()
    static let capacity = 256

    private let cache = Mutex<[String: ProofScope]>([:])

    func scope(bundle: RiskBundle, full: CompiledStatement, excluded: [String], covenants: [Covenant] = []) throws(SolvencyError) -> ProofScope {
        let key = bundle.digestHex + "\u{0}" + excluded.joined(separator: "\u{0}") + "\u{1}" + covenants.map(\.text).joined(separator: "\u{0}")
        if let hit = cache.withLock({ $0[key] }) { return hit }
        var compiled = try ProofScope.compile(full, excluding: excluded)
        // Covenants after the exclusion: the statement keeps the bundle's
        // committed inputs either way (SPEC.md §16.16).
        do { compiled = try compiled.withCovenants(covenants) } catch {
            throw .proofMismatch("the proof's covenants cannot be compiled: \(error)")
        }
        let scope = ProofScope(compiled: compiled)
        cache.withLock {
            if $0.count >= Self.capacity { $0.removeAll() }
            $0[key] = scope
        }
        return scope
    }
}
