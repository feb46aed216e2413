import StrictJSON

/// Which part of an epoch's accounts one task handles: shard `index` of
/// `count`. An account belongs to shard `AccountKey.shard(of: count)`
/// (its label's SHA-256 modulo `count`), so every task of an array job,
/// on any machine, agrees on the split without talking to the others.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Far more shards than any cluster runs tasks; keeps the modular
    /// reduction of the label digest in 64-bit words.
    public static let maximumCount = 1 << 20

    /// Every account in one shard.
    public static let whole = ShardSpec(uncheckedIndex: 0, count: 1)

    private init(uncheckedIndex: Int, count: Int) {
        self.index = uncheckedIndex
        self.count = count
    }

    public init(index: Int, count: Int) throws(SolvencyError) {
        guard (1...Self.maximumCount).contains(count) else {
            throw .invalidArgument("a shard count must be between 1 and \(Self.maximumCount), not \(count)")
        }
        guard (0..<count).contains(index) else {
            throw .invalidArgument("shard index \(index) is not in 0..<\(count) (indices start at 0)")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    /// `INDEX/COUNT` (decimal, `0/8` … `7/8`).
    public init(parsing text: String) throws(SolvencyError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Self.decimal(parts[0]), let n = Self.decimal(parts[1]) else {
            throw .invalidArgument("--shard expects INDEX/COUNT (such as 3/8) or auto, not \(jsonQuoted(text))")
        }
        try self.init(index: i, count: n)
    }

    /// The shard of this task of an engine's array job, from its
    /// environment:
    ///
    /// - Slurm job arrays: index = (`SLURM_ARRAY_TASK_ID` −
    ///   `SLURM_ARRAY_TASK_MIN`) / `SLURM_ARRAY_TASK_STEP` (the step is 1
    ///   when unset), count = `SLURM_ARRAY_TASK_COUNT`. An array such as
    ///   `--array=10-24:2` has tasks 10, 12, … 24: shards 0 … 7 of 8.
    /// - Kubernetes Indexed Jobs: index = `JOB_COMPLETION_INDEX`, count =
    ///   `countOverride` (`--shard-count`) or `ZKMARGIN_SHARD_COUNT`
    ///   (Kubernetes does not export the number of completions).
    ///
    /// A count given with `--shard-count` must agree with Slurm's.
    public static func fromEnvironment(_ env: [String: String], countOverride: Int? = nil) throws(SolvencyError) -> (ShardSpec, source: String) {
        func number(_ name: String) throws(SolvencyError) -> Int? {
            guard let text = env[name] else { return nil }
            guard let v = decimal(Substring(text)) else { throw .invalidArgument("\(name)=\(jsonQuoted(text)) is not a non-negative decimal integer") }
            return v
        }
        if let id = try number("SLURM_ARRAY_TASK_ID") {
            guard let count = try number("SLURM_ARRAY_TASK_COUNT") else {
                throw .invalidArgument("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not")
            }
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = try number("SLURM_ARRAY_TASK_STEP") ?? 1
            guard step > 0 else { throw .invalidArgument("--shard auto: SLURM_ARRAY_TASK_STEP is 0") }
            guard id >= minimum, (id - minimum) % step == 0 else {
                throw .invalidArgument("--shard auto: SLURM_ARRAY_TASK_ID \(id) is not SLURM_ARRAY_TASK_MIN \(minimum) plus a multiple of the step \(step); this needs an evenly stepped array (--array=A-B or A-B:S)")
            }
            if let c = countOverride, c != count {
                throw .invalidArgument("--shard-count \(c) disagrees with SLURM_ARRAY_TASK_COUNT \(count)")
            }
            let spec = try ShardSpec(index: (id - minimum) / step, count: count)
            return (spec, "Slurm array task \(id) (min \(minimum), step \(step), \(count) tasks)")
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            let count: Int? = if let c = countOverride { c } else { try number("ZKMARGIN_SHARD_COUNT") }
            guard let count else {
                throw .invalidArgument("--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the shard count is not: give --shard-count N or set ZKMARGIN_SHARD_COUNT to the Job's completions")
            }
            return (try ShardSpec(index: index, count: count), "Kubernetes completion index \(index) of \(count)")
        }
        throw .invalidArgument("--shard auto found neither a Slurm array task (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job (JOB_COMPLETION_INDEX); give --shard INDEX/COUNT")
    }

    /// Whether the account belongs to this shard.
    public func contains(_ key: AccountKey) -> Bool { key.shard(of: count) == index }

    /// `3/8`.
    public var description: String { "\(index)/\(count)" }

    /// A name for this shard's files: `3-of-8`.
    public var fileStem: String { "\(index)-of-\(count)" }

    /// A decimal integer of at most 9 digits, no sign, no spaces.
    private static func decimal(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 9, s.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(s)
    }
}
