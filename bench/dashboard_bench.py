#!/usr/bin/env python3
"""Measures the dashboard as an operator's terminal sees it (tmux), against the API emulator.

  latency   time from a node's version changing in the API to the new version on screen
  idle      bytes the dashboard writes to the terminal while nothing changes
  change    bytes written for one changed node, against a full repaint (Ctrl-L)

Usage: bench/dashboard_bench.py [--binary .build/release/upgrade-tui] [--trials 20] [--idle 10]
Needs tmux and python3; builds nothing (run scripts/release-build first: the release binary is what
ships and what is measured; --binary .build/debug/upgrade-tui for a debug build).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = os.path.join(ROOT, "Tests", "Support", "emulator", "kube_emulator.py")


def node(name, version, server=True):
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
    if server:
        labels.update({"node-role.kubernetes.io/control-plane": "true", "node-role.kubernetes.io/etcd": "true",
                       "node-role.kubernetes.io/master": "true"})
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"nodeInfo": {"kubeletVersion": version},
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}


def seed():
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "plans.upgrade.cattle.io"},
           "spec": {"group": "upgrade.cattle.io", "scope": "Namespaced",
                    "names": {"kind": "Plan", "plural": "plans", "singular": "plan"},
                    "versions": [{"name": "v1", "served": True, "storage": True, "subresources": {"status": {}}}]}}
    plan = {"apiVersion": "upgrade.cattle.io/v1", "kind": "Plan", "metadata": {"name": "server-plan", "namespace": "system-upgrade"},
            "spec": {"concurrency": 1, "version": "v1.32.2+rke2r1", "upgrade": {"image": "rancher/rke2-upgrade"},
                     "nodeSelector": {"matchExpressions": [{"key": "node-role.kubernetes.io/control-plane", "operator": "In", "values": ["true"]}]}},
            "status": {"latestVersion": "v1.32.2-rke2r1", "latestHash": "a" * 56, "applying": ["server-2"],
                       "conditions": [{"type": "Complete", "status": "False", "reason": "SyncJob"}]}}
    nodes = [node("server-1", "v1.32.2+rke2r1"), node("server-2", "v1.31.6+rke2r1"), node("server-3", "v1.31.6+rke2r1"),
             node("agent-1", "v1.31.6+rke2r1", False), node("agent-2", "v1.31.6+rke2r1", False)]
    return [crd, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "system-upgrade"}}, plan] + nodes


def call(port, method, path, body=None, ctype="application/json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read() or b"null")


def tmux(sock, *args):
    return subprocess.run(["tmux", "-L", sock] + list(args), capture_output=True, text=True, check=False).stdout


def row(screen, name):
    for line in screen.splitlines():
        if line.lstrip("▶> ").startswith(name + " "):
            return line
    return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "upgrade-tui"))
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--idle", type=float, default=10)
    args = parser.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux is needed")
    work = tempfile.mkdtemp(prefix="upgrade-tui-bench-")
    seed_file = os.path.join(work, "seed.json")
    with open(seed_file, "w") as f:
        json.dump(seed(), f)
    ready = os.path.join(work, "ports.json")
    emulator = subprocess.Popen([sys.executable, EMULATOR, "--http-port", "0", "--ready-file", ready, "--seed", seed_file,
                                 "--bookmark-interval", "1", "--parent-pid", str(os.getpid())],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sock = f"bench-{os.getpid()}"
    try:
        while not os.path.exists(ready):
            time.sleep(0.05)
        port = json.load(open(ready))["http"]
        kubeconfig = os.path.join(work, "kubeconfig")
        with open(kubeconfig, "w") as f:
            f.write(f"apiVersion: v1\nclusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{port}'}}}}]\n"
                    "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\nusers: [{name: u, user: {}}]\n")
        data = os.path.join(work, "data")
        os.makedirs(os.path.join(data, "server", "manifests"))
        with open(os.path.join(data, "server", "manifests", "rke2-canal.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
        out = os.path.join(work, "pane.out")
        cmd = (f"LANG=C.UTF-8 {args.binary} --kubeconfig {kubeconfig} --data-dir {data} --config {work}/config.yaml "
               f"--audit-log {work}/audit.jsonl --log-file {work}/dashboard.log --rke2-binary /nonexistent")
        tmux(sock, "new-session", "-d", "-s", "b", "-x", "80", "-y", "24", cmd)
        tmux(sock, "pipe-pane", "-o", "-t", "b", f"cat >> {out}")
        deadline = time.time() + 15
        while "server-3" not in tmux(sock, "capture-pane", "-p", "-t", "b") and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)

        # Idle: nothing changes in the cluster or on disk.
        start = os.path.getsize(out)
        time.sleep(args.idle)
        idle_bytes = os.path.getsize(out) - start

        # Latency and bytes per change.
        latencies, change_bytes = [], []
        versions = ["v1.32.2+rke2r1", "v1.32.3+rke2r1"]
        for trial in range(args.trials):
            version = versions[trial % 2]
            before = os.path.getsize(out)
            t0 = time.monotonic()
            call(port, "PATCH", "/api/v1/nodes/server-3/status", {"status": {"nodeInfo": {"kubeletVersion": version}}},
                 "application/merge-patch+json")
            while version not in row(tmux(sock, "capture-pane", "-p", "-t", "b"), "server-3"):
                if time.monotonic() - t0 > 10:
                    sys.exit(f"trial {trial}: the change did not appear within 10 s")
                time.sleep(0.005)
            latencies.append(time.monotonic() - t0)
            time.sleep(0.4)
            change_bytes.append(os.path.getsize(out) - before)

        before = os.path.getsize(out)
        tmux(sock, "send-keys", "-t", "b", "C-l")
        time.sleep(1)
        repaint_bytes = os.path.getsize(out) - before
        tmux(sock, "send-keys", "-t", "b", "q")
        time.sleep(0.5)
    finally:
        tmux(sock, "kill-server")
        emulator.terminate()
        shutil.rmtree(work, ignore_errors=True)

    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"latency node change -> screen ({args.trials} trials): p50 {statistics.median(ms):.0f} ms, "
          f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms")
    print(f"idle for {args.idle:.0f} s: {idle_bytes} bytes written to the terminal")
    print(f"one changed node: median {statistics.median(change_bytes):.0f} bytes (max {max(change_bytes)}); "
          f"full repaint (Ctrl-L): {repaint_bytes} bytes")


if __name__ == "__main__":
    main()
