import CNcurses
import Foundation

/// The only file that touches curses: init and teardown on every exit path, curses codes to `Key`,
/// and copying a `Grid` to the screen (only rows that changed). Used from one thread only.
final class TerminalAdapter {
    private(set) var width: Int
    private(set) var height: Int
    private var previous: Grid?
    private let color: Bool
    private var savedStderr: Int32 = -1
    private var closed = false

    /// Sets the locale (so the codeset can be checked before deciding on ASCII), without touching the terminal.
    static func prepareLocale() -> Bool {
        setlocale(LC_ALL, "")
        return ut_locale_is_utf8() != 0
    }

    /// Opens the terminal or throws a message for the operator (no TTY, unusable TERM).
    /// `wakeFD`: the write end of the run loop's wake-up pipe, written by the signal handlers.
    init(color wantColor: Bool, logFD: Int32?, wakeFD: Int32) throws {
        guard isatty(0) != 0, isatty(1) != 0 else {
            throw TerminalError("the dashboard needs a terminal (stdin and stdout must be a TTY); use `upgrade-tui status` in scripts")
        }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        guard !term.isEmpty, term != "dumb" else {
            throw TerminalError("TERM is \(term.isEmpty ? "not set" : "\"dumb\""): the dashboard needs a terminal type with cursor addressing (e.g. TERM=xterm-256color)")
        }
        guard let screen = ut_newterm_stdio() else {
            throw TerminalError("terminal type \"\(term)\" is unknown to this system's terminfo; try TERM=xterm-256color")
        }
        set_term(screen)
        ut_install_signal_handlers(wakeFD)
        ut_set_curses_active(1)
        raw()
        noecho()
        nonl()
        keypad(ut_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        // Never waits: the run loop sleeps in poll() on the terminal and its wake-up pipe.
        wtimeout(ut_stdscr(), 0)
        color = wantColor && ut_has_colors() != 0
        if color {
            start_color()
            use_default_colors()
            for (index, role) in Role.allCases.enumerated() {
                let (fg, bg) = Self.colors(role)
                init_pair(Int16(index + 1), fg, bg)
            }
        }
        width = Int(ut_cols())
        height = Int(ut_lines())
        // Stray writes to stderr would corrupt the screen: send them to the log while curses is up.
        if let logFD {
            savedStderr = dup(2)
            dup2(logFD, 2)
        }
    }

    deinit { close() }

    /// Restores the terminal. Safe to call more than once and from every exit path.
    func close() {
        guard !closed else { return }
        closed = true
        ut_clear_wake_fd()
        curs_set(1)
        endwin()
        ut_set_curses_active(0)
        if savedStderr >= 0 {
            dup2(savedStderr, 2)
            Glibc.close(savedStderr)
        }
    }

    var terminationSignal: Int32 { ut_terminate_requested() }

    static func colors(_ role: Role) -> (Int16, Int16) {
        switch role {
        case .normal, .title, .selected, .selectedDim, .dim: return (-1, -1)
        case .header: return (Int16(COLOR_CYAN), -1)
        case .accent, .key: return (Int16(COLOR_CYAN), -1)
        case .ok: return (Int16(COLOR_GREEN), -1)
        case .warn: return (Int16(COLOR_YELLOW), -1)
        case .error: return (Int16(COLOR_RED), -1)
        case .badge: return (Int16(COLOR_BLACK), Int16(COLOR_YELLOW))
        case .border: return (Int16(COLOR_BLUE), -1)
        }
    }

    private func attributes(_ style: Style) -> (attr_t, Int16) {
        var attr = ut_a_normal()
        if style.bold { attr |= ut_a_bold() }
        switch style.role {
        case .dim, .border: attr |= ut_a_dim()
        case .selected: attr |= ut_a_reverse()
        case .selectedDim: attr |= ut_a_bold()
        case .badge where !color: attr |= ut_a_reverse()
        case .error where !color, .warn where !color: attr |= ut_a_bold()
        case .header where !color: attr |= ut_a_underline()
        default: break
        }
        let pair = color ? Int16(Role.allCases.firstIndex(of: style.role)! + 1) : 0
        return (attr, pair)
    }

    /// Reads one key if one is waiting (it does not wait). Nil: none.
    func readKey() -> Key? {
        var wch: wint_t = 0
        let result = wget_wch(ut_stdscr(), &wch)
        if result == ERR { return nil }
        if result == KEY_CODE_YES {
            switch Int32(wch) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_ENTER: return .enter
            case KEY_BTAB: return .backTab
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_RESIZE: return .resize
            default: return nil
            }
        }
        switch wch {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(wch) + 96)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(wch)) else { return nil }
            return .char(Character(scalar))
        }
    }

    /// After KEY_RESIZE: new size, and the next draw repaints everything.
    func resized() {
        width = Int(ut_cols())
        height = Int(ut_lines())
        previous = nil
        wclear(ut_stdscr())
    }

    /// Ctrl-L: forget what is on screen and paint it all again.
    func repaint() {
        previous = nil
        clearok(ut_stdscr(), true)
    }

    /// Copies the rows that differ from the last drawn grid, then refreshes once.
    func draw(_ grid: Grid) {
        var changed = false
        for y in 0..<min(grid.height, height) {
            if let previous, previous.width == grid.width, previous.height == grid.height,
               (0..<grid.width).allSatisfy({ previous[$0, y] == grid[$0, y] }) {
                continue
            }
            drawRow(grid, y)
            changed = true
        }
        previous = grid
        if changed { wrefresh(ut_stdscr()) }
    }

    private func drawRow(_ grid: Grid, _ y: Int) {
        var x = 0
        while x < min(grid.width, width) {
            let start = grid[x, y]
            if start.width == 0 { x += 1; continue }
            // A run of same-styled narrow cells goes out in one call; wide characters are placed one
            // by one, so a disagreement between our width table and the terminal's cannot shift a row.
            var text = start.text
            var end = x + start.width
            if start.width == 1 {
                while end < min(grid.width, width), grid[end, y].style == start.style, grid[end, y].width == 1 {
                    text += grid[end, y].text
                    end += 1
                }
            }
            let (attr, pair) = attributes(start.style)
            wattr_set(ut_stdscr(), attr, pair, nil)
            var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
            wide.append(0)
            // The bottom-right cell cannot be written without scrolling on some terminals: stop short.
            let count = (y == height - 1 && end >= width) ? Int32(wide.count - 2) : Int32(wide.count - 1)
            if count > 0 { mvwaddnwstr(ut_stdscr(), Int32(y), Int32(x), wide, count) }
            x = end
        }
        wattr_set(ut_stdscr(), ut_a_normal(), 0, nil)
    }
}
