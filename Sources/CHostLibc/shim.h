#ifndef UPGRADE_TUI_CHOSTLIBC_SHIM_H
#define UPGRADE_TUI_CHOSTLIBC_SHIM_H
/* libc headers Glibc's Swift module leaves out: extended attributes (a swap keeps the old binary's
   security.selinux label and any other xattr) and uname. No code, no library: libc only. */
#include <sys/xattr.h>
#include <sys/utsname.h>
#endif
