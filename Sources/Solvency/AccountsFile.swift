import Foundation
public import MarginCircuits
import StrictJSON

/// An epoch's accounts: a JSON Lines file, one account object per line in
/// the `--account` file's format (`{"account": …, "balances": …,
/// "positions": …}`). Blank lines are skipped; each line is at most
/// `FileIO.maximumFileSize` bytes. The file is read as a stream, one line
/// at a time, so its size is not bounded by memory.
public struct AccountsFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// One account line: its 1-based line number, its label and key, and
    /// its account, or why the line is not a valid account.
    public struct Line: Sendable {
        public let number: Int
        public let label: String
        public let key: AccountKey
        public let account: Result<Account, SolvencyError>
    }

    /// Every line's account key and number, after checking that no label
    /// appears twice (the first and second line are named). Reads the
    /// whole file once; each line is parsed only as far as its label.
    public func index() throws(SolvencyError) -> [AccountKey: Int] {
        var seen: [AccountKey: Int] = [:]
        try forEachLine { (number, bytes) throws(SolvencyError) in
            let label = try Self.label(bytes, line: number)
            let key = AccountKey(label: label)
            if let first = seen[key] {
                throw .field("\(path):\(number)", "account \(jsonQuoted(label)) appears twice (lines \(first) and \(number)); an epoch has one statement per account")
            }
            seen[key] = number
        }
        return seen
    }

    /// Calls `body` with every account of `shard`, in file order. A line
    /// whose label can be read but whose account cannot is passed on as a
    /// failure of that account alone; a line without a label stops the
    /// run (`index()` refuses it first).
    public func forEachAccount(in shard: ShardSpec, _ body: (Line) throws(SolvencyError) -> Void) throws(SolvencyError) {
        try forEachLine { (number, bytes) throws(SolvencyError) in
            let label = try Self.label(bytes, line: number)
            let key = AccountKey(label: label)
            guard shard.contains(key) else { return }
            let account: Result<Account, SolvencyError>
            do throws(MarginError) { account = .success(try Account.decode(from: Data(bytes))) } catch {
                account = .failure(.circuit(error))
            }
            try body(Line(number: number, label: label, key: key, account: account))
        }
    }

    /// The label of one line, from its `account` member alone.
    static func label(_ bytes: [UInt8], line: Int) throws(SolvencyError) -> String {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw .field("line \(line)", "not a JSON object: \(error)")
        }
        guard case .object(let o) = value else { throw .field("line \(line)", "expected an account object, found \(value.kindDescription)") }
        guard case .string(let label)? = o["account"] else {
            throw .field("line \(line).account", "missing, or not a string (each line is an account file: {\"account\": LABEL, \"balances\": …, \"positions\": …})")
        }
        return label
    }

    /// Every non-blank line's bytes with its 1-based number.
    func forEachLine(_ body: (Int, [UInt8]) throws(SolvencyError) -> Void) throws(SolvencyError) {
        guard let file = fopen(path, "rb") else {
            throw .io(path: path, message: "cannot read: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(buffer) }
        var number = 0
        while true {
            let n = getline(&buffer, &capacity, file)
            if n < 0 {
                if ferror(file) != 0 { throw .io(path: path, message: "read failed: \(String(cString: strerror(errno)))") }
                break
            }
            number += 1
            guard n <= FileIO.maximumFileSize else {
                throw .io(path: path, message: "line \(number) is longer than \(FileIO.maximumFileSize >> 20) MiB")
            }
            let bytes = buffer!.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { continue }
            try body(number, bytes)
        }
    }
}
