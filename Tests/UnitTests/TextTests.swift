import Testing
import Foundation
import XCTest
import UpgradeModel
@testable import UpgradeTUI

/// Columns per grapheme cluster, never `String.count`.
@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("", 0), ("abc", 3), ("日本", 4), ("한글", 4), ("ｆｕｌｌ", 8),
        ("e\u{301}", 1), // e + combining acute: one column
        ("👍", 2), ("❤️", 2), // a heart with an emoji presentation selector
        ("👨‍👩‍👧", 2), // a family joined with ZWJ: one wide cluster
        ("a\u{200B}b", 2), // zero-width space
        ("\u{1B}", 0), ("\u{7F}", 0), ("\u{9B}", 0), ("→", 1), ("…", 1), ("─", 1),
    ])
    func width(_ text: String, _ columns: Int) {
        #expect(DisplayWidth.of(text) == columns)
    }

    @Test(arguments: [
        ("server-1", 10, "…", "server-1"), ("server-1", 8, "…", "server-1"), ("server-1", 5, "…", "serv…"),
        ("server-1", 5, "~", "serv~"), ("日本語テキスト", 5, "…", "日本…"), ("日本語", 1, "…", "…"), ("abc", 0, "…", ""),
        ("abcdef", 2, "...", ""),
    ])
    func truncate(_ text: String, _ width: Int, _ ellipsis: String, _ expected: String) {
        let cut = DisplayWidth.truncate(text, to: width, ellipsis: ellipsis)
        #expect(cut == expected)
        #expect(DisplayWidth.of(cut) <= max(0, width))
    }

    @Test(arguments: [("ab", 4, "ab  "), ("日本", 5, "日本 "), ("日本語", 5, "日本…"), ("abcdef", 3, "ab…")])
    func pad(_ text: String, _ width: Int, _ expected: String) {
        #expect(DisplayWidth.pad(text, to: width) == expected)
        #expect(DisplayWidth.of(DisplayWidth.pad(text, to: width)) == width)
    }
}

/// The one sanitiser: control and bidi characters become visible `\u{XX}` escapes.
@Suite struct TerminalTextTests {
    @Test(arguments: [
        ("plain text", "plain text", "plain text"),
        ("", "", ""),
        ("a\u{1B}[31mred", "a\\u{1B}[31mred", "a\\u{1B}[31mred"),
        ("two\nlines", "two\\u{0A}lines", "two\nlines"),
        ("tab\there", "tab\\u{09}here", "tab\there"),
        ("bell\u{07}", "bell\\u{07}", "bell\\u{07}"),
        ("nul\u{0}", "nul\\u{00}", "nul\\u{00}"),
        ("del\u{7F}", "del\\u{7F}", "del\\u{7F}"),
        ("c1\u{9B}2J", "c1\\u{9B}2J", "c1\\u{9B}2J"),
        ("cr\r", "cr\\u{0D}", "cr\\u{0D}"),
        ("evil\u{202E}txt.exe", "evil\\u{202E}txt.exe", "evil\\u{202E}txt.exe"),
        ("iso\u{2066}late\u{2069}", "iso\\u{2066}late\\u{2069}", "iso\\u{2066}late\\u{2069}"),
        ("mark\u{200F}", "mark\\u{200F}", "mark\\u{200F}"),
        ("arabic\u{061C}", "arabic\\u{61C}", "arabic\\u{61C}"),
        ("line\u{2028}sep", "line\\u{2028}sep", "line\\u{2028}sep"),
        ("日本 → 👍 é", "日本 → 👍 é", "日本 → 👍 é"),
    ])
    func sanitise(_ raw: String, _ line: String, _ block: String) {
        #expect(TerminalText.line(raw) == line)
        #expect(TerminalText.block(raw) == block)
        #expect(!TerminalText.line(raw).unicodeScalars.contains(where: TerminalText.isUnsafe), "nothing unsafe is left")
    }

    @Test func everyControlCharacterIsUnsafe() {
        let unsafe = (0...0x1F).map { $0 } + (0x7F...0x9F).map { $0 }
        for value in unsafe {
            #expect(TerminalText.isUnsafe(Unicode.Scalar(UInt32(value))!), "U+\(String(value, radix: 16))")
        }
        #expect(!TerminalText.isUnsafe(" "))
        #expect(!TerminalText.isUnsafe("~"))
        #expect(!TerminalText.isUnsafe("\u{A0}"))
    }
}

/// The continue token read ahead of decoding (the pager's prefetch): only where the API server puts it.
final class ListContinueTests: XCTestCase {
    func testPeek() {
        func peek(_ text: String) -> String? { ListContinue.peek(Data(text.utf8)) }
        XCTAssertEqual(peek(#"{"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "5", "continue": "eyJpZCI6IDF9"}, "items": []}"#), "eyJpZCI6IDF9")
        XCTAssertEqual(peek(#"{"kind":"NodeList","metadata":{"continue":"abc","remainingItemCount":3},"items":[{"metadata":{"name":"n"}}]}"#), "abc")
        XCTAssertNil(peek(#"{"kind":"NodeList","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"continue":"not-this"}}]}"#), "after items: not the list's")
        XCTAssertNil(peek(#"{"items":[],"metadata":{"continue":"abc"}}"#), "items first: left to the decoder")
        XCTAssertNil(peek(#"{"metadata":{"continue":"a\"b"},"items":[]}"#), "an escape: left to the decoder")
        XCTAssertNil(peek(#"{"metadata":{"continue":""},"items":[]}"#), "empty: the last page")
        XCTAssertNil(peek(#"{"metadata":{"continue":1},"items":[]}"#))
        XCTAssertNil(peek("not json"))
    }

    func testSanitizeFastPathAgreesWithTheScalars() {
        for text in ["plain", "tab\tand\nnewline", "esc\u{1B}[31m", "del\u{7F}", "c1\u{85}", "bidi\u{202E}x", "é ü 日本", "mixed é\u{1B}"] {
            let slow = text.unicodeScalars.contains(where: TerminalText.isUnsafe)
            XCTAssertEqual(TerminalText.line(text) != text, slow, text)
            let slowBlock = text.unicodeScalars.contains { TerminalText.isUnsafe($0) && $0 != "\n" && $0 != "\t" }
            XCTAssertEqual(TerminalText.block(text) != text, slowBlock, text)
        }
    }
}
