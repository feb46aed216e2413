public import ArgumentParser
public import Solvency

/// `--hide-among ID` (repeatable) and `--hide-among-file FILE`: an anonymity
/// set (`prove`, `compile`).
public struct HideAmongOption: ParsableArguments {
    @Option(help: ArgumentHelp("Hide among this position element (repeatable); the others are shown not held.", valueName: "ID"))
    public var hideAmong: [String] = []

    @Option(help: ArgumentHelp("Hide among the element ids in this file, one per line.", valueName: "FILE"))
    public var hideAmongFile: String?

    public init() {}

    /// The union of --hide-among and --hide-among-file; nil (hide among
    /// all) when neither is given.
    /// Neither option given: hide among every element.
    public var isDefault: Bool { hideAmong.isEmpty && hideAmongFile == nil }

    public func anonymitySet() throws(SolvencyError) -> AnonymitySet? {
        guard !hideAmong.isEmpty || hideAmongFile != nil else { return nil }
        var ids = hideAmong
        if let hideAmongFile { ids += try AnonymitySet.load(path: hideAmongFile).elements.sorted() }
        return try AnonymitySet(ids)
    }
}
