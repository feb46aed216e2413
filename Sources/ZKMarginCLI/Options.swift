public import ArgumentParser
public import Foundation
public import ZKGroup

// The options several commands take, each declared once with one help text.
// Where one command requires an option that others take optionally, there
// are two groups (`BundleOption`, `OptionalBundleOption`) sharing the text.

/// The help texts of the shared options.
enum OptionHelp {
    static let bundle = ArgumentHelp("The publisher's signed risk bundle.", valueName: "BUNDLE.json")
    static let publisherKey = ArgumentHelp("The publisher's public key: the bundle must be signed by it.", valueName: "PUBLISHER.pub.pem")
    static let custodianKey = ArgumentHelp("The custodian's public key: a statement must be signed by it.", valueName: "CUSTODIAN.pub.pem")
    static let out = ArgumentHelp("The file to write: the private key (keygen), the bundle (publish), the statement (attest) or the proof (prove).",
                                  valueName: "FILE")
    static let curve = ArgumentHelp("The curve proofs use: p256 (faster) or secp256k1.", valueName: "curve")
    static let at = ArgumentHelp("The time at which the bundle must be valid, an RFC 3339 time such as 2025-11-25T12:30:00Z (default: now).",
                                 valueName: "TIME")
}

/// `--bundle BUNDLE.json`, required.
public struct BundleOption: ParsableArguments {
    @Option(name: .customLong("bundle"), help: OptionHelp.bundle)
    public var path: String
    public init() {}
}

/// `--bundle BUNDLE.json`, optional (`check` takes risk values instead).
public struct OptionalBundleOption: ParsableArguments {
    @Option(name: .customLong("bundle"), help: OptionHelp.bundle)
    public var path: String?
    public init() {}
}

/// `--publisher-key PUBLISHER.pub.pem`, required (the verifier).
public struct PublisherKeyOption: ParsableArguments {
    @Option(name: .customLong("publisher-key"), help: OptionHelp.publisherKey)
    public var path: String
    public init() {}
}

/// `--publisher-key PUBLISHER.pub.pem`, optional (an extra check).
public struct OptionalPublisherKeyOption: ParsableArguments {
    @Option(name: .customLong("publisher-key"), help: OptionHelp.publisherKey)
    public var path: String?
    public init() {}
}

/// `--custodian-key CUSTODIAN.pub.pem`, optional.
public struct OptionalCustodianKeyOption: ParsableArguments {
    @Option(name: .customLong("custodian-key"), help: OptionHelp.custodianKey)
    public var path: String?
    public init() {}
}

/// `--out FILE`, required: what the command writes.
public struct OutOption: ParsableArguments {
    @Option(name: .customLong("out"), help: OptionHelp.out)
    public var path: String
    public init() {}
}

/// `--out FILE`, optional (`prove` writes a directory with `--batch` instead).
public struct OptionalOutOption: ParsableArguments {
    @Option(name: .customLong("out"), help: OptionHelp.out)
    public var path: String?
    public init() {}
}

/// `--curve p256|secp256k1`, p256 by default.
public struct CurveOption: ParsableArguments {
    @Option(name: .customLong("curve"), help: OptionHelp.curve)
    public var value: Curve = .p256
    public init() {}
}

/// `--at TIME`: when to check the bundle's validity window (default: now).
public struct AtOption: ParsableArguments {
    @Option(name: .customLong("at"), help: OptionHelp.at, transform: ArgumentTransforms.time)
    public var time: Date?
    public init() {}

    /// The time given, or now.
    public var date: Date { time ?? Date() }
}
