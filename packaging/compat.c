/*
 * Linked into the release binary only (scripts/release-build), which is linked against Debian 11's
 * glibc 2.31 and gcc 10's libstdc++ so that it runs on the distributions RKE2 supports. The Swift
 * toolchain's static runtime was compiled on a newer system; the symbols below are the only ones it
 * needs beyond glibc 2.28 (RHEL 8) and gcc 10's libstdc++. Each keeps the behaviour of the original.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <spawn.h>

/* Nothing here is exported (see the maths wrappers below for why that matters). */
#define HIDDEN __attribute__((visibility("hidden")))

/*
 * libstdc++ >= 11 headers call std::__throw_bad_array_new_length() (GLIBCXX_3.4.29, gcc 11) when a
 * container's size computation overflows. std::bad_array_new_length is a std::bad_alloc, which every
 * libstdc++ can throw.
 */
extern void cxx_throw_bad_alloc(void) __asm__("_ZSt17__throw_bad_allocv") __attribute__((noreturn));
HIDDEN void cxx_throw_bad_array_new_length(void) __asm__("_ZSt28__throw_bad_array_new_lengthv") __attribute__((noreturn));
HIDDEN void cxx_throw_bad_array_new_length(void) { cxx_throw_bad_alloc(); }

#if defined(__x86_64__)
/*
 * glibc 2.29 added new default versions of exp, exp2, log, log2 and pow (faster, without the SVID
 * error-handling wrapper); the original versions are still exported by every glibc. Calls from the
 * runtime go to the original ones, so that glibc 2.28 can load the binary.
 *
 * Hidden, never exported: Swift links executables with --export-dynamic, and ld.so lets an unversioned
 * definition in the executable satisfy the versioned reference `exp2@GLIBC_2.2.5`. An exported
 * wrapper would then call itself through the PLT forever (a tail call: a silent 100% CPU loop, as the
 * reflectors' backoff did until 2026-11-30). scripts/test-package checks that none is exported.
 */
#define BASELINE_1(name) \
    __asm__(".symver " #name "_baseline, " #name "@GLIBC_2.2.5"); \
    extern double name##_baseline(double); \
    HIDDEN double name(double x) { return name##_baseline(x); }
BASELINE_1(exp)
BASELINE_1(exp2)
BASELINE_1(log)
BASELINE_1(log2)
__asm__(".symver pow_baseline, pow@GLIBC_2.2.5");
extern double pow_baseline(double, double);
HIDDEN double pow(double x, double y) { return pow_baseline(x, y); }
#endif

/*
 * glibc 2.29 added posix_spawn_file_actions_addchdir_np, which Foundation's Process uses for a working
 * directory. Where glibc has it, it is called; on glibc 2.28 such a spawn fails with ENOSYS.
 * (upgrade-tui spawns with posix_spawn directly and never sets a working directory.)
 */
typedef int (*addchdir_function)(posix_spawn_file_actions_t *, const char *);
HIDDEN int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path) {
    addchdir_function real =
        (addchdir_function)dlvsym(RTLD_NEXT, "posix_spawn_file_actions_addchdir_np", "GLIBC_2.29");
    return real ? real(actions, path) : ENOSYS;
}
