#ifndef UPGRADE_TUI_CNCURSES_SHIM_H
#define UPGRADE_TUI_CNCURSES_SHIM_H

/* The wide-character API (cchar_t, wget_wch, add_wch) is only visible with these defined first. */
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1

#include <errno.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Macros and globals Swift cannot import (or, in Swift 6, touch as shared mutable state). */
static inline WINDOW *ut_stdscr(void) { return stdscr; }
static inline int ut_lines(void) { return LINES; }
static inline int ut_cols(void) { return COLS; }
static inline int ut_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline attr_t ut_a_normal(void) { return A_NORMAL; }
static inline attr_t ut_a_bold(void) { return A_BOLD; }
static inline attr_t ut_a_dim(void) { return A_DIM; }
static inline attr_t ut_a_reverse(void) { return A_REVERSE; }
static inline attr_t ut_a_underline(void) { return A_UNDERLINE; }
static inline int ut_has_colors(void) { return has_colors() ? 1 : 0; }
static inline SCREEN *ut_newterm_stdio(void) { return newterm(NULL, stdout, stdin); }

/* One lifecycle: a termination request (SIGTERM, SIGHUP from a dropped ssh, SIGINT) is a flag the
   loop reads; a crash restores the terminal, then re-raises with the previous handler so the Swift
   runtime still prints its backtrace. */
/* State lives in function-local statics: file-scope statics in an imported header are not emitted. */
static inline volatile sig_atomic_t *ut_terminate_flag(void) { static volatile sig_atomic_t flag = 0; return &flag; }
static inline int *ut_curses_active_flag(void) { static int active = 0; return &active; }
static inline struct sigaction *ut_previous_actions(void) { static struct sigaction previous[32]; return previous; }

/* The UI thread sleeps in poll() on the terminal and a wake-up pipe; signals that matter to it
   (termination, SIGWINCH) write a byte there, whichever thread the kernel delivered them to. */
static inline int *ut_wake_fd(void) { static int fd = -1; return &fd; }
static inline struct sigaction *ut_previous_winch(void) { static struct sigaction previous; return &previous; }

static void ut_wake(void) {
    int saved = errno;
    if (*ut_wake_fd() >= 0) { ssize_t ignored = write(*ut_wake_fd(), "s", 1); (void)ignored; }
    errno = saved;
}

static void ut_on_terminate(int sig) { *ut_terminate_flag() = sig; ut_wake(); }

/* ncurses' own SIGWINCH handler (it makes the next read return KEY_RESIZE) runs first. */
static void ut_on_winch(int sig, siginfo_t *info, void *context) {
    struct sigaction *previous = ut_previous_winch();
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction) previous->sa_sigaction(sig, info, context);
    } else if (previous->sa_handler != SIG_DFL && previous->sa_handler != SIG_IGN) {
        previous->sa_handler(sig);
    }
    ut_wake();
}

static void ut_on_crash(int sig) {
    if (*ut_curses_active_flag()) {
        endwin();
        *ut_curses_active_flag() = 0;
    }
    if (sig > 0 && sig < 32) sigaction(sig, &ut_previous_actions()[sig], NULL);
    raise(sig);
}

static inline void ut_install_signal_handlers(int wake_fd) {
    *ut_wake_fd() = wake_fd;
    struct sigaction winch;
    memset(&winch, 0, sizeof winch);
    winch.sa_sigaction = ut_on_winch;
    winch.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&winch.sa_mask);
    sigaction(SIGWINCH, &winch, ut_previous_winch());
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ut_on_terminate;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int crashes[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof crashes / sizeof crashes[0]; i++) {
        struct sigaction crash;
        memset(&crash, 0, sizeof crash);
        crash.sa_handler = ut_on_crash;
        sigemptyset(&crash.sa_mask);
        crash.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(crashes[i], &crash, &ut_previous_actions()[crashes[i]]);
    }
}

/* Before the pipe is closed: a later signal must not write into whatever file reuses its number. */
static inline void ut_clear_wake_fd(void) { *ut_wake_fd() = -1; }

static inline int ut_terminate_requested(void) { return (int)*ut_terminate_flag(); }
static inline void ut_set_curses_active(int active) { *ut_curses_active_flag() = active; }

static inline int ut_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

#endif
