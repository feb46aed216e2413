public import MarginCircuits

/// A book for `Circuits/tiered-margin.zkm`: one quote asset, and per
/// instrument its mark and its tiers, each a maintenance rate and a
/// deduction. The circuit proves, per position of notional N,
/// max over tiers of (N·rate − deduction): the venues' "rate of N's tier
/// minus that tier's deduction" exactly when the tiers start at 0, their
/// rates do not decrease and each deduction continues the previous one
/// (deduction_k = deduction_{k−1} + floor_k·(rate_k − rate_{k−1})), which
/// `checkedTiers` verifies.
public struct TieredBook: Sendable {
    public struct Tier: Sendable, Equatable {
        /// Where the tier starts (notional, quote currency).
        public let floor: Rational
        public let rate: Rational
        public let deduction: Rational

        public init(floor: Rational, rate: Rational, deduction: Rational) {
            self.floor = floor
            self.rate = rate
            self.deduction = deduction
        }
    }

    public struct Instrument: Sendable {
        public let id: String
        public let mark: Rational
        public let tiers: [Tier]
        /// The largest |size| the venue allows (the circuit's `max_position`;
        /// nil: the circuit's default).
        public let maxPosition: Rational?
        /// The venue's order-size step (`size_step`; nil: the default, 1e-8).
        public let sizeStep: Rational?
    }

    public let venue: String
    public let quote: String
    public private(set) var instruments: [Instrument] = []
    /// The precision of every cost size · entry_price (`cost_step`, one for
    /// all instruments so the costs commit as one sum; nil: the circuit's
    /// default, 1e-12, enough for entry prices of four decimals at the
    /// default size step).
    public var costStep: Rational? = nil

    public init(venue: String, quote: String) {
        self.venue = venue
        self.quote = quote
    }

    /// Adds an instrument whose tiers passed `checkedTiers`.
    public mutating func add(_ id: String, mark: Rational, tiers: [Tier], field: String,
                             maxPosition: Rational? = nil, sizeStep: Rational? = nil) throws(ImportError) {
        guard mark.signum > 0 else { throw ImportError(field, mark.description, "a mark price must be positive") }
        instruments.append(Instrument(id: id, mark: mark, tiers: tiers, maxPosition: maxPosition, sizeStep: sizeStep))
    }

    /// Tiers sorted by floor, checked: the first starts at 0 with deduction
    /// 0, rates in [0, 1] never decrease, and each deduction is continuous
    /// with the previous tier's. Each tier's `path` and the venue's `fields`
    /// for floor, rate and deduction name the value a refusal is about.
    public static func checkedTiers(_ tiers: [(path: String, tier: Tier)], fields: (floor: String, rate: String, deduction: String)) throws(ImportError) -> [Tier] {
        guard !tiers.isEmpty else { throw ImportError("tiers", nil, "no tiers") }
        let list = tiers.sorted { $0.tier.floor < $1.tier.floor }
        for (path, t) in list where t.rate.signum < 0 || t.rate > .one {
            throw ImportError("\(path).\(fields.rate)", t.rate.description, "a maintenance rate must lie in [0, 1]")
        }
        guard list[0].tier.floor.isZero else { throw ImportError("\(list[0].path).\(fields.floor)", list[0].tier.floor.description, "the first tier must start at 0") }
        guard list[0].tier.deduction.isZero else { throw ImportError("\(list[0].path).\(fields.deduction)", list[0].tier.deduction.description, "the first tier's deduction must be 0") }
        for k in 1..<list.count {
            let (path, b) = list[k], a = list[k - 1].tier
            guard b.floor > a.floor else { throw ImportError("\(path).\(fields.floor)", b.floor.description, "two tiers start at the same notional") }
            guard b.rate >= a.rate else {
                throw ImportError("\(path).\(fields.rate)", b.rate.description, "a rate below the previous tier's \(a.rate): the margin would not be convex, and the circuit's max over tiers would differ from the venue's tier formula")
            }
            let continuous = a.deduction + b.floor * (b.rate - a.rate)
            guard b.deduction == continuous else {
                throw ImportError("\(path).\(fields.deduction)", b.deduction.description, "the deduction is not continuous with the previous tier's (expected \(continuous) = \(a.deduction) + \(b.floor) × (\(b.rate) − \(a.rate))); the circuit's max over tiers would differ from the venue's tier formula")
            }
        }
        return list.map(\.tier)
    }

    /// The values file (`note`: where the numbers came from).
    public func values(note: String) -> ValuesDocument {
        var doc = ValuesDocument(venue: venue, quote: quote, circuit: "tiered-margin", note: note)
        var asset = ValuesDocument.Element(id: quote)
        asset.set("price", .one)
        doc.addSet("assets", elements: [asset])
        doc.addSet("tiers", ids: (1...max(1, instruments.map(\.tiers.count).max() ?? 1)).map(String.init))
        doc.addSet("instruments", elements: instruments.map { i in
            var e = ValuesDocument.Element(id: i.id)
            e.set("mark", i.mark)
            e.set("mm_rate", row: i.tiers.enumerated().map { ("\($0.offset + 1)", $0.element.rate) })
            e.set("deduction", row: i.tiers.enumerated().map { ("\($0.offset + 1)", $0.element.deduction) })
            if let m = i.maxPosition { e.set("max_position", m) }
            if let s = i.sizeStep { e.set("size_step", s) }
            if let c = costStep { e.set("cost_step", c) }
            return e
        })
        return doc
    }
}
