/*
 * fake-rke2: a compiled stand-in for the rke2 binary in tests and in --demo.
 * A shell script would show up in /proc as its interpreter; this shows up as itself.
 *
 *   cc -O1 -DFAKE_VERSION='"v1.31.6+rke2r1"' -o rke2 fake-rke2.c
 *
 *   rke2 --version            prints the two lines real rke2 prints
 *   rke2 server|agent [...]   runs until SIGTERM/SIGINT, with two children whose comm and
 *                             cmdline are "containerd" and "kubelet" (as upgrade.sh sees them);
 *                             the children die with their parent.
 *   rke2 etcd-snapshot save [--name N] [--data-dir D]
 *                             writes <D>/server/db/snapshots/<N>-<hostname>-<unix time> and logs as
 *                             rke2 does (logrus lines on stderr); when <D>/fake-rke2-snapshot-fail
 *                             exists, logs its first line as a fatal error and exits 1 instead.
 * FAKE_RKE2_READY_FILE=path   write the pid there once running (tests wait for it).
 * FAKE_RKE2_START_DELAY_MS=n  sleep before becoming ready (a slow start).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef FAKE_VERSION
#define FAKE_VERSION "v1.31.6+rke2r1"
#endif
#ifndef FAKE_COMMIT
#define FAKE_COMMIT "7598946e0086a9131564ccbb3c142b3fa54516ad"
#endif

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

/* Rewrites the argument area so /proc/PID/cmdline reads as `name`. */
static void retitle(int argc, char **argv, const char *name) {
    char *start = argv[0];
    char *end = argv[argc - 1] + strlen(argv[argc - 1]);
    size_t room = (size_t)(end - start);
    memset(start, 0, room);
    strncpy(start, name, room);
    prctl(PR_SET_NAME, name, 0, 0, 0);
}

static pid_t child(int argc, char **argv, const char *name) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1) _exit(0);
    retitle(argc, argv, name);
    signal(SIGTERM, SIG_DFL);
    for (;;) pause();
}

static void logline(const char *level, const char *msg) {
    char stamp[64];
    time_t now = time(NULL);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    fprintf(stderr, "time=\"%s\" level=%s msg=\"%s\"\n", stamp, level, msg);
}

/* rke2 etcd-snapshot save: the file under <data-dir>/server/db/snapshots, named as rke2 names it. */
static int snapshot_save(int argc, char **argv) {
    const char *name = "on-demand", *data_dir = "/var/lib/rancher/rke2";
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) name = argv[++i];
        else if (strncmp(argv[i], "--name=", 7) == 0) name = argv[i] + 7;
        else if (strcmp(argv[i], "--data-dir") == 0 && i + 1 < argc) data_dir = argv[++i];
        else if (strncmp(argv[i], "--data-dir=", 11) == 0) data_dir = argv[i] + 11;
    }
    char path[4096], msg[8192];
    snprintf(path, sizeof path, "%s/fake-rke2-snapshot-fail", data_dir);
    FILE *fail = fopen(path, "r");
    if (fail) {
        char line[1024] = "etcd-snapshot failed";
        if (fgets(line, sizeof line, fail)) line[strcspn(line, "\n")] = 0;
        fclose(fail);
        logline("fatal", line);
        return 1;
    }
    char host[256] = "node";
    gethostname(host, sizeof host - 1);
    host[strcspn(host, ".")] = 0;
    snprintf(path, sizeof path, "%s/server/db/snapshots", data_dir);
    for (char *slash = path + 1; *slash; slash++) {
        if (*slash == '/') { *slash = 0; mkdir(path, 0755); *slash = '/'; }
    }
    mkdir(path, 0700);
    char file[4096 + 512];
    snprintf(file, sizeof file, "%s/%s-%s-%ld", path, name, host, (long)time(NULL));
    snprintf(msg, sizeof msg, "Saving etcd snapshot to %s", file);
    logline("info", msg);
    FILE *f = fopen(file, "w");
    if (!f) { logline("fatal", "failed to write the snapshot file"); return 1; }
    fprintf(f, "fake etcd snapshot %s\n", name);
    fclose(f);
    snprintf(msg, sizeof msg, "Snapshot %s-%s-%ld saved.", name, host, (long)time(NULL));
    logline("info", msg);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "etcd-snapshot") == 0 && strcmp(argv[2], "save") == 0) return snapshot_save(argc, argv);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
            const char *base = strrchr(argv[0], '/');
            printf("%s version %s (%s)\n", base ? base + 1 : argv[0], FAKE_VERSION, FAKE_COMMIT);
            printf("go version go1.24.11 X:boringcrypto\n");
            return 0;
        }
    }
    if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "agent") != 0)) {
        fprintf(stderr, "usage: rke2 server|agent [flags] | rke2 etcd-snapshot save [--name N] | rke2 --version\n");
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    const char *delay = getenv("FAKE_RKE2_START_DELAY_MS");
    if (delay) {
        struct timespec ts = { atoi(delay) / 1000, (long)(atoi(delay) % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
    pid_t children[2];
    children[0] = child(argc, argv, "containerd");
    children[1] = child(argc, argv, "kubelet");

    const char *ready = getenv("FAKE_RKE2_READY_FILE");
    if (ready) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", ready);
        FILE *f = fopen(tmp, "w");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
            rename(tmp, ready);
        }
    }
    fprintf(stderr, "fake rke2 %s %s running as pid %d\n", FAKE_VERSION, argv[1], (int)getpid());
    while (!stop) pause();
    for (int i = 0; i < 2; i++) {
        kill(children[i], SIGTERM);
        waitpid(children[i], NULL, 0);
    }
    return 0;
}
