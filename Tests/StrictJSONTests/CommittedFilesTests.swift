import StrictJSON
import XCTest
import ZKTestSupport

/// The committed JSON files (vectors, examples, fuzz fixtures) are what the
/// strict reader accepts: no repeated key, standard limits, and the writer
/// gives back an equal document. Tests read vectors through this reader
/// (`Repository.vector`), so a file it refused would fail them anyway; this
/// names the file.
final class CommittedFilesTests: XCTestCase {
    func testEveryCommittedJSONFileParsesStrictly() throws {
        let repository = Repository.forTests
        let files = repository.files(under: "Vectors", suffix: ".json")
        XCTAssertGreaterThanOrEqual(files.count, 38, "fewer JSON files under Vectors/ than expected")
        for file in files {
            do {
                let value = try JSONParser.parse(try repository.read(file))
                XCTAssertEqual(try JSONParser.parse(value.encoded()), value, file)
            } catch {
                XCTFail("\(file): \(error)")
            }
        }
    }
}
