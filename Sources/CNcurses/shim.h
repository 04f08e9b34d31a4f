#ifndef UPGRADE_TUI_CNCURSES_SHIM_H
#define UPGRADE_TUI_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#endif
