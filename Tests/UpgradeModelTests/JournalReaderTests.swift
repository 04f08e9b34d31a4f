import Foundation
import TestSupport
import UpgradeModel
import XCTest

/// This node's rke2 journal: journalctl from a root-owned path only, its output or its own error, and
/// "no journald" when there is none.
final class JournalReaderTests: XCTestCase {
    func testTheLastLinesOfTheUnitAndErrorsOnly() throws {
        try XCTSkipUnless(geteuid() == 0, "a trusted journalctl must be root's")
        let box = try Sandbox("journal")
        let journalctl = try box.write("usr/bin/journalctl", """
            #!/bin/sh
            # Prints its arguments and, with -p err, only the error line.
            echo "args: $*"
            case "$*" in *"-p err"*) echo "2026-11-29T10:00:02 server-1 rke2[4242]: level=error msg=\\"etcd not ready\\"" ;;
            *) echo "2026-11-29T10:00:01 server-1 rke2[4242]: level=info msg=\\"starting\\""
               echo "2026-11-29T10:00:02 server-1 rke2[4242]: level=error msg=\\"etcd not ready\\"" ;; esac

            """)
        chmod(journalctl, 0o755)
        let reader = JournalReader(candidates: [journalctl])
        guard case let .lines(all) = reader.read(unit: "rke2-server", errorsOnly: false) else { return XCTFail("no lines") }
        XCTAssertEqual(all.first, "args: -u rke2-server -n 300 --no-pager -o short-iso")
        XCTAssertEqual(all.count, 3)
        guard case let .lines(errors) = reader.read(unit: "rke2-agent", errorsOnly: true) else { return XCTFail("no lines") }
        XCTAssertEqual(errors, ["args: -u rke2-agent -n 300 --no-pager -o short-iso -p err",
                                "2026-11-29T10:00:02 server-1 rke2[4242]: level=error msg=\"etcd not ready\""])
        // journalctl's own failure is shown, not hidden.
        try Data("#!/bin/sh\necho 'No journal files were found.' >&2\nexit 1\n".utf8).write(to: URL(fileURLWithPath: journalctl))
        XCTAssertEqual(reader.read(unit: "rke2-server", errorsOnly: false),
                       .unavailable("journalctl -u rke2-server failed (exit 1): No journal files were found."))
        // One that others can replace is never run as root.
        chmod(journalctl, 0o777)
        guard case let .unavailable(reason) = reader.read(unit: "rke2-server", errorsOnly: false) else { return XCTFail("ran an untrusted file") }
        XCTAssertTrue(reason.contains("was not run"), reason)
    }

    func testWithoutJournaldItSaysSo() {
        let reader = JournalReader(candidates: ["/nonexistent/usr/bin/journalctl"])
        guard case let .unavailable(reason) = reader.read(unit: "rke2-server", errorsOnly: false) else { return XCTFail("lines from nowhere") }
        XCTAssertTrue(reason.hasPrefix("no journald on this node"), reason)
    }
}
