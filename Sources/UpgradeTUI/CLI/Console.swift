import Foundation
import UpgradeModel

/// The one way human text leaves the command line for a terminal. Everything written to stdout or
/// stderr goes through `TerminalText.block`: names, messages and paths come from the cluster and from
/// files other users can write, and an escape sequence in any of them must never reach the terminal.
/// (The dashboard draws only through `Grid`, which sanitises every cell the same way.)
enum Console {
    static func out(_ text: String, terminator: String = "\n") {
        Swift.print(TerminalText.block(text), terminator: terminator)
    }

    static func error(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data((TerminalText.block(text) + "\n").utf8))
    }

    /// A question on stdout without a newline, flushed before the answer is read.
    static func prompt(_ text: String) {
        Swift.print(TerminalText.block(text), terminator: "")
        fflush(nil)
    }
}

/// `print` in this module is `Console.out`: a command that prints what an operation returned is safe
/// without having to remember it.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.out(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}
