import Foundation
import TestSupport
import XCTest
@testable import UpgradeModel

/// `ChannelResolver` against a local HTTP server (python) that answers as update.rke2.io does.
final class ChannelResolutionTests: XCTestCase {
    // MARK: channel resolution against a local server answering 302

    func testChannelResolutionFollowsA302LikeSUC() async throws {
        let script = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path.endswith('/stable'):
                    self.send_response(302); self.send_header('Location', 'https://github.com/rancher/rke2/releases/tag/v1.32.4%2Brke2r1'); self.end_headers()
                elif self.path.endswith('/v1.32.3+rke2r1'):
                    self.send_response(200); self.end_headers(); self.wfile.write(b'ok')
                elif self.path.endswith('/weird'):
                    self.send_response(302); self.send_header('Location', 'https://example/tag/not-a-version'); self.end_headers()
                else:
                    self.send_response(404); self.end_headers()
            def log_message(self, *a): pass
        s = http.server.HTTPServer(('127.0.0.1', 0), H)
        open(sys.argv[1], 'w').write(str(s.server_address[1]))
        s.serve_forever()
        """
        let portFile = NSTemporaryDirectory() + "channel-port-\(UUID().uuidString.prefix(6))"
        let pid = try Shell.spawn(try Shell.which("python3") ?? "/usr/bin/python3", ["-c", script, portFile], environment: ProcessInfo.processInfo.environment)
        defer { kill(pid, SIGTERM); var s: Int32 = 0; waitpid(pid, &s, 0) }
        var port = ""
        // A deadline, not a number of tries: python starts slowly on a loaded machine.
        let deadline = Date().addingTimeInterval(20)
        while port.isEmpty && Date() < deadline {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)) ?? ""
            usleep(20_000)
        }
        let base = "http://127.0.0.1:\(port)/v1-release/channels"
        let stable = try await ChannelResolver.resolve(base + "/stable")
        XCTAssertEqual(stable.description, "v1.32.4+rke2r1", "the last path element of Location")
        let plain = try await ChannelResolver.resolve(base + "/v1.32.3+rke2r1")
        XCTAssertEqual(plain.description, "v1.32.3+rke2r1", "a 200 means the URL's own last element")
        do {
            _ = try await ChannelResolver.resolve(base + "/weird")
            XCTFail("not a version")
        } catch { XCTAssertTrue("\(error)".contains("not an RKE2 version"), "\(error)") }
        do {
            _ = try await ChannelResolver.resolve(base + "/missing")
            XCTFail("404")
        } catch { XCTAssertTrue("\(error)".contains("HTTP 404"), "\(error)") }
    }
}
