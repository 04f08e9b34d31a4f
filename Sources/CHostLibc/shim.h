#ifndef UPGRADE_TUI_CHOSTLIBC_SHIM_H
#define UPGRADE_TUI_CHOSTLIBC_SHIM_H
/* libc headers Glibc's Swift module leaves out: extended attributes (a swap keeps the old binary's
   security.selinux label and any other xattr), uname, and the pidfd system calls (through syscall(2),
   so that no libc newer than the oldest supported one is needed: glibc wraps them only from 2.36). */
#include <sys/xattr.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <signal.h>
#include <malloc.h>

/* pidfd_open(2) and pidfd_send_signal(2) have the same numbers on every architecture (Linux 5.1+
   unified table). -1 with errno ENOSYS on older kernels. */
static inline int uptui_pidfd_open(int pid) { return (int)syscall(434, pid, 0); }
static inline int uptui_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(424, pidfd, sig, (void *)0, 0); }

/* mallopt(M_ARENA_MAX, n): glibc since 2.10. */
static inline int uptui_limit_malloc_arenas(int count) { return mallopt(M_ARENA_MAX, count); }
#endif
