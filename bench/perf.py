#!/usr/bin/env python3
"""upgrade-tui at cluster scale, side by side with kubectl and curl, from one run (issue 13).

For each cluster size (default 100, 1000, 5000, 20000 nodes; 2 Plans, a Job per applying node, the SUC
deployment, 30 Addons and HelmCharts) it starts the API emulator and measures:

  status          `upgrade-tui status --output json`: wall time (median of --runs) and peak RSS
  curl            the same six lists (nodes, plans, jobs, addons, helmcharts, deployments) fetched one
                  after the other by one curl process (median)
  kubectl         `kubectl get nodes -o json` (median)
  first frame     dashboard (`--watch`, tmux 120x40) started -> every pane filled on screen
  dash RSS        the dashboard's peak RSS (VmHWM) at the end of its run
  idle            the dashboard's CPU (% of one core) and bytes written over --idle seconds of nothing
                  changing, against `watch -n 2 kubectl get nodes` in the same tmux geometry
  change CPU      the dashboard's CPU time (all threads, /proc/PID/task/*/schedstat) over the latency
                  trials, less its idle rate, per change
  latency         a node's kubelet version changed in the API -> the new version on screen, p50/p95: the
                  clock starts before the PATCH is sent (on a kept-alive connection) and stops when
                  tmux's copy of the screen shows the new version; the screen is read through a tmux
                  control-mode client, woken by tmux's %output notice when the pane is written (no
                  polling, no process started per look)
  frame, key      (only with --micro) in-process render time and filter keystroke time, from the
                  binary's hidden `__bench-render` command

Usage: bench/perf.py [--binary PATH] [--sizes 100,1000,5000,20000] [--runs 5] [--idle 30]
                     [--trials 20] [--out bench/results.md] [--callgrind]
Without --binary it runs scripts/release-build first (the release build is what ships and what is
measured). Needs python3, tmux, curl, kubectl, GNU time (/usr/bin/time, for peak RSS); valgrind for --callgrind.
"""
import argparse
import http.client
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = os.path.join(ROOT, "Tests", "Support", "emulator", "kube_emulator.py")
NS = "system-upgrade"
OLD, NEW = "v1.31.6+rke2r1", "v1.32.2+rke2r1"
HZ = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------------
# The cluster

def crd(group, kind, plural, status=True):
    version = {"name": "v1", "served": True, "storage": True,
               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
    if status:
        version["subresources"] = {"status": {}}
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{group}"},
            "spec": {"group": group, "scope": "Namespaced", "versions": [version],
                     "names": {"kind": kind, "plural": plural, "singular": kind.lower()}}}


def node(i, servers):
    server = i < servers
    name = f"server-{i + 1}" if server else f"agent-{i + 1 - servers:05d}"
    version = NEW if i % 3 == 0 else OLD
    ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
              "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
              "node.kubernetes.io/instance-type": "rke2", "beta.kubernetes.io/instance-type": "rke2",
              "topology.kubernetes.io/zone": f"zone-{i % 3}"}
    if server:
        labels.update({"node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/etcd": "true",
                       "node-role.kubernetes.io/master": "true"})
    conditions = [{"type": t, "status": "False", "reason": f"No{t}", "message": f"kubelet has no {t}",
                   "lastHeartbeatTime": "2026-11-29T10:00:00Z", "lastTransitionTime": "2026-11-01T10:00:00Z"}
                  for t in ("MemoryPressure", "DiskPressure", "PIDPressure")]
    conditions.append({"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                       "lastHeartbeatTime": "2026-11-29T10:00:00Z", "lastTransitionTime": "2026-11-01T10:00:00Z"})
    resources = {"cpu": "8", "memory": "32853400Ki", "pods": "110", "ephemeral-storage": "101430960Ki"}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels, "uid": f"00000000-0000-0000-0000-{i:012d}",
                         "creationTimestamp": "2026-11-01T10:00:00Z",
                         "annotations": {"rke2.io/hostname": name, "rke2.io/internal-ip": ip,
                                         "rke2.io/node-args": "[\"server\"]" if server else "[\"agent\"]",
                                         "node.alpha.kubernetes.io/ttl": "0",
                                         "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
            "spec": {"providerID": f"rke2://{name}", "podCIDR": f"10.42.{i & 255}.0/24"},
            "status": {"conditions": conditions, "capacity": resources, "allocatable": resources,
                       "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
                       "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                       "nodeInfo": {"kubeletVersion": version, "kubeProxyVersion": version, "architecture": "amd64",
                                    "operatingSystem": "linux", "osImage": "Ubuntu 24.04.1 LTS",
                                    "kernelVersion": "6.8.0-45-generic", "containerRuntimeVersion": "containerd://1.7.22-k3s1",
                                    "machineID": f"{i:032x}", "systemUUID": f"{i:032x}", "bootID": f"{i:032x}"}}}


def plan(name, selector, applying):
    return {"apiVersion": "upgrade.cattle.io/v1", "kind": "Plan", "metadata": {"name": name, "namespace": NS},
            "spec": {"concurrency": 1, "version": NEW, "serviceAccountName": "system-upgrade",
                     "upgrade": {"image": "rancher/rke2-upgrade"}, "nodeSelector": {"matchExpressions": [selector]}},
            "status": {"latestVersion": NEW.replace("+", "-"), "latestHash": (name[0] * 56), "applying": applying,
                       "conditions": [{"type": "Complete", "status": "False", "reason": "SyncJob"}]}}


def job(plan_name, node_name, done):
    status = {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]} if done else {"active": 1}
    status["startTime"] = "2026-11-29T10:00:00Z"
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": f"apply-{plan_name}-on-{node_name}-with-{plan_name[0] * 16}", "namespace": NS,
                         "labels": {"upgrade.cattle.io/plan": plan_name, "upgrade.cattle.io/node": node_name,
                                    "upgrade.cattle.io/controller": "system-upgrade-controller",
                                    "upgrade.cattle.io/version": NEW.replace("+", "-")}},
            "spec": {"template": {"spec": {"nodeName": node_name}}}, "status": status}


def cluster(size):
    servers = min(3, size)
    nodes = [node(i, servers) for i in range(size)]
    objects = [crd("upgrade.cattle.io", "Plan", "plans"), crd("k3s.cattle.io", "Addon", "addons", False),
               crd("helm.cattle.io", "HelmChart", "helmcharts"),
               {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
               {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}]
    objects += nodes
    cp = {"key": "node-role.kubernetes.io/control-plane", "operator": "In", "values": ["true"]}
    agent = {"key": "node-role.kubernetes.io/control-plane", "operator": "DoesNotExist"}
    objects += [plan("server-plan", cp, ["server-2"]), plan("agent-plan", agent, [])]
    # A finished Job for every upgraded server and one running Job; agents: a Job per 50 nodes done.
    objects += [job("server-plan", n["metadata"]["name"], True) for n in nodes[:servers] if n["status"]["nodeInfo"]["kubeletVersion"] == NEW]
    objects.append(job("server-plan", "server-2", False))
    objects += [job("agent-plan", n["metadata"]["name"], True) for n in nodes[servers::50]]
    objects.append({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "system-upgrade-controller", "namespace": NS,
                                 "labels": {"app.kubernetes.io/name": "system-upgrade-controller"}},
                    "spec": {"replicas": 1}, "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}})
    for i in range(30):
        name = f"addon-{i:02d}"
        objects.append({"apiVersion": "k3s.cattle.io/v1", "kind": "Addon", "metadata": {"name": name, "namespace": "kube-system"},
                        "spec": {"source": f"/var/lib/rancher/rke2/server/manifests/{name}.yaml", "checksum": f"{i:064x}"}})
        objects.append({"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "metadata": {
            "name": name, "namespace": "kube-system",
            "annotations": {"helm.cattle.io/chart-url": f"https://rke2-charts.rancher.io/assets/{name}/{name}-1.0.{i}.tgz"}},
            "spec": {"chart": name, "version": f"1.0.{i}"}, "status": {"jobName": f"helm-install-{name}"}})
    return objects


LISTS = ["/api/v1/nodes", f"/apis/upgrade.cattle.io/v1/namespaces/{NS}/plans", f"/apis/batch/v1/namespaces/{NS}/jobs",
         "/apis/k3s.cattle.io/v1/namespaces/kube-system/addons", "/apis/helm.cattle.io/v1/namespaces/kube-system/helmcharts",
         f"/apis/apps/v1/namespaces/{NS}/deployments"]


# ---------------------------------------------------------------------------------------------------
# Helpers

TIME = shutil.which("time", path="/usr/bin:/bin")


def timed(cmd, env=None):
    """Wall time (s) and peak RSS (MB) of one run; the output goes nowhere.

    The peak RSS comes from GNU time, which runs the command as its own child. Linux keeps a process's
    RSS high-water mark across exec (fs/exec.c, setmax_mm_hiwater_rss), so the ru_maxrss of a command
    started from this script includes this script's own RSS before the exec: at 5,000 nodes, with the
    cluster held in memory, 47 MB, more than the command itself. GNU time is small."""
    with tempfile.NamedTemporaryFile("r") as out:
        wrapped = [TIME, "-f", "%M", "-o", out.name] + cmd if TIME else cmd
        t0 = time.monotonic()
        proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if TIME:
            lines = [line for line in out.read().splitlines() if line.strip()]
            rss = int(lines[-1]) / 1024 if lines and lines[-1].strip().isdigit() else float("nan")
        else:
            rss = float("nan")   # ru_maxrss here would be this script's own RSS (see above)
    return wall, rss, proc.returncode


def median_run(cmd, runs, env=None):
    results = [timed(cmd, env) for _ in range(runs)]
    codes = {r[2] for r in results}
    return statistics.median(r[0] for r in results), max(r[1] for r in results), codes


def tmux(sock, *args):
    return subprocess.run(["tmux", "-L", sock] + list(args), capture_output=True, text=True, check=False).stdout


def cpu_ticks(pid, children=False):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks


def cpu_ns(pid):
    """The process's CPU time so far, every thread's, in ns (schedstat: finer than clock ticks)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total


def hwm_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]


class PaneWatch:
    """A tmux control-mode client attached to a session: `capture` reads the pane through it, and
    `wait_output` sleeps until tmux says the pane was written to. A look costs a round trip to the tmux
    server, not a `tmux capture-pane` process (about 4 ms here), and a change is seen when it is drawn,
    not at the next poll."""

    def __init__(self, sock, target):
        self.target = target
        self.proc = subprocess.Popen(["tmux", "-L", sock, "-C", "attach-session", "-t", target],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""
        self.written = False

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def capture(self):
        self.proc.stdin.write(f"capture-pane -p -t {self.target}\n".encode())
        lines, inside = [], False
        while True:
            line = self._line(time.monotonic() + 5)
            if line is None:
                raise RuntimeError("tmux control mode: no answer to capture-pane")
            if line.startswith(b"%begin"):
                inside, lines = True, []
            elif line.startswith((b"%end", b"%error")):
                if inside:
                    return b"\n".join(lines).decode("utf-8", "replace")
            elif inside:
                lines.append(line)
            elif line.startswith(b"%output"):
                self.written = True

    def wait_output(self, deadline):
        """Until the pane is written to (or was, since the last capture), or the deadline."""
        if self.written:
            self.written = False
            return True
        while (line := self._line(deadline)) is not None:
            if line.startswith(b"%output"):
                return True
        return False

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=5)


def row(screen, name):
    for line in screen.splitlines():
        if f" {name} " in f" {line.lstrip('▶> │|')} ":
            return line
    return ""


# ---------------------------------------------------------------------------------------------------
# One cluster size

def measure(args, binary, size, work):
    out = {"size": size}
    seed_file = os.path.join(work, "seed.json")
    with open(seed_file, "w") as f:
        json.dump(cluster(size), f)
    ready = os.path.join(work, "ports.json")
    if os.path.exists(ready):
        os.unlink(ready)
    emulator = subprocess.Popen([sys.executable, EMULATOR, "--http-port", "0", "--ready-file", ready, "--seed", seed_file,
                                 "--bookmark-interval", "5", "--parent-pid", str(os.getpid())],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = f"perf-{os.getpid()}-{size}"
    try:
        deadline = time.time() + 600
        while not os.path.exists(ready):
            if emulator.poll() is not None or time.time() > deadline:
                sys.exit("the emulator did not start")
            time.sleep(0.1)
        time.sleep(0.2)
        port = json.load(open(ready))["http"]
        base = f"http://127.0.0.1:{port}"
        kubeconfig = os.path.join(work, "kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(f"apiVersion: v1\nclusters: [{{name: c, cluster: {{server: '{base}'}}}}]\n"
                    "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\nusers: [{name: u, user: {}}]\n")
        data = os.path.join(work, "data")
        manifests = os.path.join(data, "server", "manifests")
        os.makedirs(manifests, exist_ok=True)
        for i in range(30):
            with open(os.path.join(manifests, f"addon-{i:02d}.yaml"), "w") as f:
                f.write(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: addon-{i:02d}}}\n")
        common = ["--kubeconfig", kubeconfig, "--data-dir", data, "--config", os.path.join(work, "config.yaml"),
                  "--rke2-binary", "/nonexistent"]
        env = dict(os.environ, KUBECONFIG=kubeconfig, LANG="C.UTF-8")

        # Warm the emulator's lists (its first answer for a type is slower), then the three peers.
        subprocess.run(["curl", "-s"] + [a for p in LISTS for a in ("-o", "/dev/null", base + p)], check=False)
        status_cmd = [binary, "status", "--output", "json"] + common
        out["status_s"], out["status_rss"], codes = median_run(status_cmd, args.runs, env)
        out["status_codes"] = sorted(codes)
        curl_cmd = ["curl", "-s", "--fail"]
        for p in LISTS:
            curl_cmd += ["-o", "/dev/null", base + p]
        out["curl_s"], _, _ = median_run(curl_cmd, args.runs)
        out["kubectl_s"], out["kubectl_rss"] = None, None
        if not args.skip_peers:
            out["kubectl_s"], out["kubectl_rss"], _ = median_run(["kubectl", "get", "nodes", "-o", "json"], args.runs, env)
        out["bytes"] = sum(len(urllib.request.urlopen(base + p, timeout=60).read()) for p in LISTS)

        if args.callgrind:
            cg = os.path.join(work, "callgrind.out")
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={cg}"] + status_cmd,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
            summary = subprocess.run(["callgrind_annotate", cg], capture_output=True, text=True).stdout
            for line in summary.splitlines():
                if "PROGRAM TOTALS" in line:
                    out["status_ir"] = int(line.split()[0].replace(",", ""))
            os.unlink(cg)

        # The dashboard: first complete frame, idle, latency, RSS.
        pane_out = os.path.join(work, f"pane-{size}.out")
        dash = (f"exec env LANG=C.UTF-8 {binary} --watch " + " ".join(common) +
                f" --audit-log {work}/audit.jsonl --log-file {work}/dashboard.log")
        t0 = time.monotonic()
        tmux(sock, "new-session", "-d", "-s", "d", "-x", "120", "-y", "40", dash)
        tmux(sock, "pipe-pane", "-o", "-t", "d", f"cat >> {pane_out}")
        pid = int(tmux(sock, "list-panes", "-t", "d", "-F", "#{pane_pid}").strip())
        totals = (f"Nodes ({size})", f"Nodes ({size:,})")
        first = None
        while time.monotonic() - t0 < 120:
            screen = tmux(sock, "capture-pane", "-p", "-t", "d")
            # Complete: the nodes pane shows a node row, the plans pane its plan, the manifests pane an addon.
            if any(t in screen for t in totals) and "job on" in screen and "addon-00.yaml" in screen and "1.0.0" in screen:
                first = time.monotonic() - t0
                break
            time.sleep(0.005)
        out["first_frame_s"] = first
        time.sleep(3)
        screen = tmux(sock, "capture-pane", "-p", "-t", "d")
        out["screen"] = screen

        start_bytes = os.path.getsize(pane_out) if os.path.exists(pane_out) else 0
        t_start, c_start = time.monotonic(), cpu_ticks(pid)
        time.sleep(args.idle)
        c_end, t_end = cpu_ticks(pid), time.monotonic()
        out["idle_cpu"] = 100.0 * (c_end - c_start) / HZ / (t_end - t_start)
        out["idle_bytes"] = (os.path.getsize(pane_out) if os.path.exists(pane_out) else 0) - start_bytes

        # Latency: the first node on screen (sorted by name) flips between two versions.
        target = "agent-00001" if size > 3 else "server-1"
        latencies = []
        watch = PaneWatch(sock, "d")
        api = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        cpu_start, wall_start = cpu_ns(pid), time.monotonic()
        for trial in range(args.trials):
            version = "v1.32.3+rke2r1" if trial % 2 == 0 else OLD
            body = json.dumps({"status": {"nodeInfo": {"kubeletVersion": version}}})
            watch.written = False
            t0 = time.monotonic()
            api.request("PATCH", f"/api/v1/nodes/{target}/status", body, {"Content-Type": "application/merge-patch+json"})
            api.getresponse().read()
            ok = False
            while time.monotonic() - t0 < 10:
                if version in row(watch.capture(), target):
                    ok = True
                    break
                watch.wait_output(t0 + 10)
            latencies.append((time.monotonic() - t0) * 1000 if ok else float("inf"))
            time.sleep(0.3)
        # The dashboard's CPU per change: all its threads over the trials, less what it uses idle.
        spent_ms = (cpu_ns(pid) - cpu_start) / 1e6 - (out["idle_cpu"] or 0) / 100 * (time.monotonic() - wall_start) * 1000
        out["change_cpu_ms"] = spent_ms / args.trials
        api.close()
        watch.close()
        out["lat_p50"] = statistics.median(latencies)
        out["lat_p95"] = percentile(latencies, 0.95)
        out["dash_rss"] = hwm_mb(pid)
        tmux(sock, "send-keys", "-t", "d", "q")
        time.sleep(0.5)
        tmux(sock, "kill-server")

        # The peer for idle: watch -n 2 kubectl get nodes, same geometry and time.
        out["watch_cpu"], out["watch_bytes"] = None, None
        if args.skip_peers:
            return out
        watch_out = os.path.join(work, f"watch-{size}.out")
        tmux(sock, "new-session", "-d", "-s", "w", "-x", "120", "-y", "40",
             f"exec env KUBECONFIG={kubeconfig} watch -n 2 kubectl get nodes")
        tmux(sock, "pipe-pane", "-o", "-t", "w", f"cat >> {watch_out}")
        wpid = int(tmux(sock, "list-panes", "-t", "w", "-F", "#{pane_pid}").strip())
        time.sleep(3)
        start_bytes = os.path.getsize(watch_out) if os.path.exists(watch_out) else 0
        t_start, c_start = time.monotonic(), cpu_ticks(wpid, children=True)
        time.sleep(args.idle)
        c_end, t_end = cpu_ticks(wpid, children=True), time.monotonic()
        out["watch_cpu"] = 100.0 * (c_end - c_start) / HZ / (t_end - t_start)
        out["watch_bytes"] = (os.path.getsize(watch_out) if os.path.exists(watch_out) else 0) - start_bytes
    finally:
        tmux(sock, "kill-server")
        emulator.terminate()
        emulator.wait()

    return out


def micro(binary, size, out):
    """In-process: a full derivation, a node change (memoized derivation, compare, handle, render), a new
    snapshot, a frame, a filter keystroke (handle + render), medians."""
    res = subprocess.run([binary, "__bench-render", "--nodes", str(size)], capture_output=True, text=True)
    for line in res.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key in ("snapshot_ms", "frame_ms", "key_ms", "derive_ms", "change_ms"):
            out[key] = float(value)


def fmt(v, spec):
    if v is None:
        return "n/a"
    if isinstance(v, float) and v == float("inf"):
        return "timeout"
    return format(v, spec)


def table(results, binary, args):
    lines = [f"binary: `{binary}`; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
             f"load average {os.getloadavg()[0]:.1f}; runs {args.runs}, idle {args.idle:.0f} s, trials {args.trials}", "",
             "| nodes | lists (MB) | status s | curl s | status/curl | kubectl nodes s | status RSS MB | dash RSS MB "
             "| first frame s | idle CPU % | idle bytes | watch kubectl CPU % | watch bytes | change p50 ms | p95 ms | change CPU ms |"
             + (" status Ir |" if args.callgrind else ""),
             "|" + " --- |" * (16 + (1 if args.callgrind else 0))]
    for r in results:
        ratio = r["status_s"] / r["curl_s"] if r["curl_s"] else float("nan")
        lines.append(f"| {r['size']:,} | {r['bytes'] / 1e6:.1f} | {fmt(r['status_s'], '.3f')} | {fmt(r['curl_s'], '.3f')} | "
                     f"{ratio:.2f}× | {fmt(r['kubectl_s'], '.3f')} | {fmt(r['status_rss'], '.0f')} | {fmt(r['dash_rss'], '.0f')} | "
                     f"{fmt(r['first_frame_s'], '.2f')} | {fmt(r['idle_cpu'], '.2f')} | {r['idle_bytes']} | "
                     f"{fmt(r['watch_cpu'], '.2f')} | {fmt(r['watch_bytes'], 'd')} | {fmt(r['lat_p50'], '.0f')} | {fmt(r['lat_p95'], '.0f')} | "
                     f"{fmt(r.get('change_cpu_ms'), '.1f')} |"
                     + (f" {r.get('status_ir', 0):,} |" if args.callgrind else ""))
    rendered = [r for r in results if "frame_ms" in r]
    if rendered:
        lines += ["", "| nodes | full derivation ms | node change ms (derive with memo, compare, handle, render) "
                  "| first snapshot ms (handle) | frame ms (render) | filter keystroke ms (handle + render) |",
                  "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {r['size']:,} | {fmt(r.get('derive_ms'), '.2f')} | {fmt(r.get('change_ms'), '.2f')} | {r['snapshot_ms']:.2f} "
                  f"| {r['frame_ms']:.2f} | {r['key_ms']:.2f} |" for r in rendered]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", help="measure this build (default: run scripts/release-build and measure its binary)")
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=30)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--callgrind", action="store_true", help="instruction counts of one status run (valgrind)")
    parser.add_argument("--micro", action="store_true", help="in-process frame and keystroke times (__bench-render)")
    parser.add_argument("--out", help="also write the table (Markdown) here")
    parser.add_argument("--skip-peers", action="store_true", help="no kubectl and no watch (to compare two builds quickly)")
    args = parser.parse_args()
    for tool in ("tmux", "curl", "kubectl", "watch"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed")
    binary = args.binary
    if not binary:
        binary = subprocess.run([os.path.join(ROOT, "scripts", "release-build")], cwd=ROOT, check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
        binary = os.path.join(ROOT, binary)
    binary = os.path.abspath(binary)
    # Measured from a fresh copy, as a package installs it: part of every RSS figure is the binary's own
    # pages, and how many of them the kernel maps around each fault depends on how the file sits in the
    # page cache (a just-written file, an older one partly evicted: 1-2 MB apart). A copy also keeps a
    # rebuild during the run from changing what is measured.
    installed = tempfile.mkdtemp(prefix="upgrade-tui-perf-bin-")
    shutil.copy2(binary, os.path.join(installed, "upgrade-tui"))
    measured, binary = binary, os.path.join(installed, "upgrade-tui")
    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        work = tempfile.mkdtemp(prefix=f"upgrade-tui-perf-{size}-")
        try:
            r = measure(args, binary, size, work)
            if args.micro:
                micro(binary, size, r)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        results.append(r)
        print(f"{size} nodes: " + json.dumps({k: v for k, v in r.items() if k != "screen"}), file=sys.stderr, flush=True)
        if os.environ.get("PERF_SCREEN"):
            print(r["screen"], file=sys.stderr)
        if r["first_frame_s"] is None:
            print(r["screen"], file=sys.stderr)
    shutil.rmtree(installed, ignore_errors=True)
    text = table(results, measured, args)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
