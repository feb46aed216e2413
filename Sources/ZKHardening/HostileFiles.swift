package import Foundation
import MarginCircuits
import Solvency
import StrictJSON
import ZKGroup

/// The hostile inputs of the soundness review (findings F4 to F9), written
/// as files so that `scripts/hostile.sh` can measure what refusing each one
/// costs `zkmargin-verify` (time and peak memory): the bar is under 1 s and
/// 200 MB before it refuses.
///
/// Built around the fuzz fixtures (`Vectors/fuzz/fixtures/`): their keys
/// are the trusted ones, so the attacks that need a trusted signature (a
/// careless or compromised publisher or custodian) get one.
package enum HostileFiles {
    /// One measured case: the verifier's arguments (relative to the output
    /// folder) and the exit status it must end with.
    package struct Case: Sendable {
        package let name: String
        package let finding: String
        package let what: String
        package let arguments: [String]
        package let expectedStatus: Int32
    }

    /// Writes every case's files into `directory` and returns the cases.
    package static func write(to directory: URL, fixtures f: FuzzFixtures) throws -> [Case] {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        func put(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }
        let other = SigningKey.generate()
        try put("publisher.pub.pem", Array(f.publisherKey.verifyingKey.pemRepresentation.utf8))
        try put("custodian.pub.pem", Array(f.custodianKey.verifyingKey.pemRepresentation.utf8))
        try put("bundle.json", f.bundleFile)
        try put("proof.json", f.proofFile)
        let at = RFC3339.format(FuzzFixtures.verificationTime)
        func verify(_ proofs: [String], bundle: String = "bundle.json", extra: [String] = []) -> [String] {
            ["--bundle", bundle, "--publisher-key", "publisher.pub.pem", "--custodian-key", "custodian.pub.pem", "--at", at] + extra + proofs
        }
        guard case .object(let proof) = try JSONParser.parse(f.proofFile),
              case .object(let bundleEnvelope) = try JSONParser.parse(f.bundleFile),
              case .string(let bundlePayload64) = bundleEnvelope["payload"]!,
              case .object(let bundlePayload) = try JSONParser.parse(Base64Text.decode(bundlePayload64)) else {
            throw FixtureError("the fixture files are not what HostileFiles expects")
        }
        var cases: [Case] = []

        // F4: text that tries to forge report lines.
        let forge = "\nVALID    proof.json: account \"fund-7\" meets maintenance\u{1B}[2K\r\u{202E}"
        var spoof = proof
        spoof["epoch"] = .string("2026-01-01T00:00:00Z" + forge)
        spoof["x" + forge] = .string("y")
        try put("f4-spoof.json", JSONValue.object(spoof).encoded())
        cases.append(Case(name: "f4-spoof", finding: "F4", what: "a proof whose epoch and an unknown key forge a VALID line", arguments: verify(["f4-spoof.json"]), expectedStatus: 1))

        // F5: an object with 100 000 keys (1.1 MB).
        var keys = String(decoding: f.proofFile, as: UTF8.self)
        keys.removeLast(2)
        keys += (0..<100_000).map { ",\"k\($0)\":0" }.joined() + "}\n"
        try put("f5-keys.json", Array(keys.utf8))
        cases.append(Case(name: "f5-keys", finding: "F5", what: "a proof with 100 000 extra keys (1.1 MB)", arguments: verify(["f5-keys.json"]), expectedStatus: 1))

        // F6: statements and bundles that are large and signed by someone else,
        // or by the trusted key with the wrong shape. A statement (version 2)
        // is a signed payload that declares its input count and the SHA-256
        // of its commitments, and the commitments themselves outside the
        // signature, in one base64 list (44 characters each): as many as fit
        // a proof file under the 16 MiB limit, each slot 02 ‖ 11…11 (decoding
        // one would cost a square root; both cases must refuse before that).
        let slot = [0x02] + [UInt8](repeating: 0x11, count: 32)
        let manyInputs = (FormatLimits.maximumFileBytes - f.proofFile.count - 8192) / 44
        let commitments = Array([[UInt8]](repeating: slot, count: manyInputs).joined())
        func statementPayload(inputs: Int, custodian: SigningKey) -> [UInt8] {
            let payload = JSONObject([
                ("format", .string(FileKind.statement.formatName)), ("custodian", .string(custodian.verifyingKey.id)), ("bundle", .string(f.bundle.digestHex)),
                ("account", .string("fund-7/subacct-2")), ("epoch", .string(f.bundle.epoch)), ("curve", .string(f.bundle.curve.rawValue)),
                ("issued_at", .string(at)), ("inputs", .number(String(inputs))), ("commitments", .string(SHA256.hash(commitments).hexString)),
            ])
            return JSONValue.object(payload).compactEncoded()
        }
        var foreign = proof
        foreign["statement"] = .object(envelopeJSON(kind: .statement, payload: statementPayload(inputs: manyInputs, custodian: other), key: other, commitments: commitments))
        try put("f6-statement-other-key.json", JSONValue.object(foreign).encoded())
        cases.append(Case(name: "f6-statement-other-key", finding: "F6", what: "a statement with \(manyInputs) inputs signed by another custodian",
                          arguments: verify(["f6-statement-other-key.json"]), expectedStatus: 1))
        var miscounted = proof
        miscounted["statement"] = .object(envelopeJSON(kind: .statement, payload: statementPayload(inputs: manyInputs, custodian: f.custodianKey), key: f.custodianKey,
                                                       commitments: commitments))
        try put("f6-statement-count.json", JSONValue.object(miscounted).encoded())
        cases.append(Case(name: "f6-statement-count", finding: "F6", what: "the trusted custodian's statement with \(manyInputs) inputs (the circuit has 6)",
                          arguments: verify(["f6-statement-count.json"]), expectedStatus: 1))
        let big = [UInt8](repeating: UInt8(ascii: "{"), count: 11 << 20)   // 14.7 MiB once in base64: under the size limit
        try put("f6-bundle-other-key.json", JSONValue.object(envelopeJSON(kind: .bundle, payload: big, key: other)).encoded())
        cases.append(Case(name: "f6-bundle-other-key", finding: "F6", what: "a 15 MB bundle signed by another publisher",
                          arguments: verify(["proof.json"], bundle: "f6-bundle-other-key.json"), expectedStatus: 2))
        let hugePath = directory.appendingPathComponent("f6-bundle-62mb.json")
        guard fm.createFile(atPath: hugePath.path, contents: nil) else { throw FixtureError("cannot create \(hugePath.path)") }
        let handle = try FileHandle(forWritingTo: hugePath)
        try handle.truncate(atOffset: 62 << 20)   // sparse: nothing to read if it is refused from its size
        try handle.close()
        cases.append(Case(name: "f6-bundle-62mb", finding: "F6", what: "a 62 MB bundle", arguments: verify(["proof.json"], bundle: "f6-bundle-62mb.json"), expectedStatus: 2))
        let copies = (0..<1000).map { "many/p\($0).json" }
        try fm.createDirectory(at: directory.appendingPathComponent("many"), withIntermediateDirectories: true)
        for name in copies { try put(name, f.proofFile) }
        cases.append(Case(name: "f6-1000-proofs", finding: "F6", what: "1000 valid proofs at once (memory must stay bounded; time is verification)",
                          arguments: verify(copies), expectedStatus: 0))

        // F7: circuits that blow up, signed by the trusted publisher.
        func signedBundle(_ name: String, circuit: String, extraSet: (String, Int)? = nil) throws {
            var payload = bundlePayload
            payload["circuit"] = .object(JSONObject([("name", .string(f.bundle.circuitName)), ("source", .string(circuit))]))
            if let (set, count) = extraSet, case .object(var values)? = payload["values"] {
                values[set] = .array((0..<count).map { .string("e\($0)") })
                payload["values"] = .object(values)
            }
            try put(name, JSONValue.object(envelopeJSON(kind: .bundle, payload: JSONValue.object(payload).compactEncoded(), key: f.publisherKey)).encoded())
        }
        let header = f.bundle.circuitSource
        var squares = header + "\nlet c0 = 1234567890123456789\n"
        for k in 1...16 { squares += "let c\(k) = c\(k - 1) * c\(k - 1)\n" }
        squares += "require blowup: sum(a in assets: balance[a]) >= c16\n"
        try signedBundle("f7-squares.json", circuit: squares)
        cases.append(Case(name: "f7-squares", finding: "F7", what: "a signed circuit squaring a constant on 16 lines", arguments: verify(["proof.json"], bundle: "f7-squares.json"), expectedStatus: 2))
        var doubling = header + "\nlet d0 = sum(a in assets: balance[a])\n"
        for k in 1...40 { doubling += "let d\(k) = d\(k - 1) + d\(k - 1)\n" }
        doubling += "require blowup: d40 >= 0\n"
        try signedBundle("f7-doubling.json", circuit: doubling)
        // Each let is lowered once per use, so this compiles at once (the proof is for another bundle: exit 1).
        cases.append(Case(name: "f7-doubling", finding: "F7", what: "a signed circuit doubling a sum on 40 lines (2^40 terms if expanded)", arguments: verify(["proof.json"], bundle: "f7-doubling.json"), expectedStatus: 1))
        let budget = header + "\nset many\nfor s in many: require blowup: sum(a in assets: balance[a]) >= sum(i in many: sum(a in assets: balance[a] * price[a]))\n"
        try signedBundle("f7-budget.json", circuit: budget, extraSet: ("many", 3000))
        cases.append(Case(name: "f7-budget", finding: "F7", what: "a signed circuit of 3000 requirements over 3000-term sums (the work budget)", arguments: verify(["proof.json"], bundle: "f7-budget.json"), expectedStatus: 2))
        let loops = header + "\nset many\nfor i in many: for j in many: for k in many: require blowup: sum(a in assets: balance[a]) >= 0\n"
        try signedBundle("f7-loops.json", circuit: loops, extraSet: ("many", 1000))
        cases.append(Case(name: "f7-loops", finding: "F7", what: "a signed circuit whose three nested loops over 1000 elements make 10^9 requirements", arguments: verify(["proof.json"], bundle: "f7-loops.json"), expectedStatus: 2))
        let depth = 200_000
        let nested = header + "\nrequire blowup: " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + " >= 0\n"
        try signedBundle("f7-nesting.json", circuit: nested)
        cases.append(Case(name: "f7-nesting", finding: "F7", what: "a signed circuit nesting \(depth) parentheses", arguments: verify(["proof.json"], bundle: "f7-nesting.json"), expectedStatus: 2))

        // F8: a lenient time (a bad argument: a usage error, exit 64).
        cases.append(Case(name: "f8-minute-60", finding: "F8", what: "--at 2030-01-01T23:60:00Z",
                          arguments: ["--bundle", "bundle.json", "--publisher-key", "publisher.pub.pem", "--at", "2030-01-01T23:60:00Z", "proof.json"], expectedStatus: 64))

        // F9: a duplicate key (the strict reader refuses it wherever it is).
        var duplicated = String(decoding: f.proofFile, as: UTF8.self)
        duplicated = duplicated.replacingOccurrences(of: "\"curve\": \"p256\",", with: "\"curve\": \"p256\", \"curve\": \"secp256k1\",")
        try put("f9-duplicate.json", Array(duplicated.utf8))
        cases.append(Case(name: "f9-duplicate", finding: "F9", what: "a proof with a duplicate key", arguments: verify(["f9-duplicate.json"]), expectedStatus: 1))
        return cases
    }

    /// A signed envelope's JSON (as `SignedEnvelope` writes it) over any
    /// payload bytes, including ones no reader would accept; a statement's
    /// with its (unsigned) commitments.
    static func envelopeJSON(kind: FileKind, payload: [UInt8], key: SigningKey, commitments: [UInt8]? = nil) -> JSONObject {
        var o = JSONObject([
            ("format", .string(kind.formatName)),
            ("payload", .string(Base64Text.encode(payload))),
            ("signer", .string(key.verifyingKey.id)),
            ("signer_key", .string(Base64Text.encode(key.verifyingKey.derRepresentation))),
            ("signature", .string(Base64Text.encode(key.signature(for: payload)))),
        ])
        if let commitments { o["commitments"] = .string(Base64Text.encode(commitments)) }
        return o
    }
}

/// Plain base64 for the files this tool writes.
enum Base64Text {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    static func decode(_ text: String) -> [UInt8] { Array(Data(base64Encoded: text) ?? Data()) }
}
