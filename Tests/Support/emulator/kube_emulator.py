#!/usr/bin/env python3
"""A Kubernetes API emulator for upgrade-tui's tests and demo. Python standard library only.

It serves what upgrade-tui and the real kubectl need, with the semantics of kube-apiserver:
discovery (/api, /apis, /version, an empty /openapi/v2), typed LISTs with kind/apiVersion and a
resourceVersion and paging (limit/continue, a consistent snapshot per list, 410 for an expired
continue token), GET/POST/PUT/PATCH (merge, JSON, strategic for built-in kinds)/DELETE, the status
subresource, CRD registration, and WATCH (watch=true|1) that resumes from a resourceVersion, answers
410 Gone for compacted ones, sends bookmarks, and filters by label and field selectors. A watch from a
resourceVersion the store has not reached waits (3 s) and then answers 504 with the cause
ResourceVersionTooLarge, as kube-apiserver's watch cache does (`NewTooLargeResourceVersionError`);
/_emulator/etcd-snapshot and /_emulator/etcd-restore make resourceVersions go backwards as an etcd
snapshot restore does. /metrics serves Prometheus text (POST /_emulator/metrics {"text": ...} sets it,
e.g. apiserver_requested_deprecated_apis gauges; a fault with path=/metrics and status=403 forbids it).

Fault injection and inspection live under /_emulator/ (see AdminMixin). Listeners: plain HTTP and/or
HTTPS that requires a client certificate signed by --client-ca.

    kube_emulator.py --http-port 0 --https-port 0 --cert s.pem --key s.key --client-ca ca.pem \
        --ready-file ports.json [--seed objects.json] [--token T]
"""
import argparse
import base64
import copy
import datetime
import json
import os
import re
import socket
import socketserver
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# ---------------------------------------------------------------------------------------------------
# Resource types

class ResourceType:
    def __init__(self, group, version, plural, kind, namespaced, short_names=(), status_subresource=True,
                 builtin=True, singular=None):
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.short_names = list(short_names)
        self.status_subresource = status_subresource
        self.builtin = builtin
        self.singular = singular or kind.lower()

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def group_version(self):
        return self.api_version


BUILTIN_TYPES = [
    ResourceType("", "v1", "nodes", "Node", False, ["no"]),
    ResourceType("", "v1", "namespaces", "Namespace", False, ["ns"]),
    ResourceType("", "v1", "pods", "Pod", True, ["po"]),
    ResourceType("", "v1", "configmaps", "ConfigMap", True, ["cm"], status_subresource=False),
    ResourceType("", "v1", "secrets", "Secret", True, [], status_subresource=False),
    ResourceType("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"], status_subresource=False),
    ResourceType("", "v1", "events", "Event", True, ["ev"], status_subresource=False),
    ResourceType("apps", "v1", "deployments", "Deployment", True, ["deploy"]),
    ResourceType("batch", "v1", "jobs", "Job", True, []),
    ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False,
                 ["crd", "crds"]),
]

# Strategic merge patch: list fields merged by a key (the subset of patchMergeKey tags we need).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "env": "name",
    "volumes": "name", "volumeMounts": "mountPath", "ports": "containerPort", "conditions": "type",
    "addresses": "type", "imagePullSecrets": "name", "images": None,
}


class APIError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------------
# Selectors

_REQ = re.compile(r"\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_./-]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*$")


def split_selector(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return parts


def parse_label_selector(text):
    reqs = []
    for part in split_selector(text or ""):
        m = _REQ.match(part)
        if not m:
            raise APIError(400, "BadRequest", f"unable to parse requirement: {part!r}")
        neg, key, op, value, setop, values = m.groups()
        if op:
            reqs.append((key, "!=" if op == "!=" else "=", [value]))
        elif setop:
            reqs.append((key, setop, [v.strip() for v in values.split(",") if v.strip()]))
        else:
            reqs.append((key, "!" if neg else "exists", []))
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for key, op, values in reqs:
        present = key in labels
        if op == "=" and labels.get(key) != values[0]:
            return False
        if op == "!=" and present and labels[key] == values[0]:
            return False
        if op == "in" and (not present or labels[key] not in values):
            return False
        if op == "notin" and present and labels[key] in values:
            return False
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
    return True


def field_value(obj, path):
    current = obj
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    if current is None:
        return None
    if isinstance(current, bool):
        return "true" if current else "false"
    return str(current)


def parse_field_selector(text):
    reqs = []
    for part in split_selector(text or ""):
        m = re.match(r"\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise APIError(400, "BadRequest", f"invalid field selector: {part!r}")
        reqs.append((m.group(1), "!=" if m.group(2) == "!=" else "=", m.group(3)))
    return reqs


def fields_match(reqs, obj):
    for path, op, value in reqs:
        actual = field_value(obj, path)
        if path == "spec.unschedulable" and actual is None:
            actual = "false"
        if op == "=" and (actual or "") != value:
            return False
        if op == "!=" and (actual or "") == value:
            return False
    return True


# ---------------------------------------------------------------------------------------------------
# Patches

def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(target, patch, field=None):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: v for k, v in copy.deepcopy(patch).items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key.startswith("$retainKeys") or key == "$patch":
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            name = key.split("/", 1)[1]
            result[name] = [v for v in result.get(name, []) if v not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and MERGE_KEYS.get(key) and isinstance(result.get(key), list):
            merge_key = MERGE_KEYS[key]
            merged = copy.deepcopy(result[key])
            for item in value:
                if not isinstance(item, dict) or merge_key not in item:
                    merged.append(copy.deepcopy(item))
                    continue
                index = next((i for i, old in enumerate(merged)
                              if isinstance(old, dict) and old.get(merge_key) == item[merge_key]), None)
                if item.get("$patch") == "delete":
                    if index is not None:
                        merged.pop(index)
                elif index is None:
                    merged.append({k: v for k, v in item.items() if k != "$patch"})
                else:
                    merged[index] = strategic_merge(merged[index], item)
            result[key] = merged
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value, key)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    return result


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise APIError(422, "Invalid", f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc, ops):
    doc = copy.deepcopy(doc)

    def walk(parts):
        current = doc
        for part in parts[:-1]:
            if isinstance(current, list):
                current = current[int(part)]
            else:
                if part not in current:
                    raise APIError(422, "Invalid", f"path {'/'.join(parts)} does not exist")
                current = current[part]
        return current, parts[-1]

    def get(path):
        parts = _pointer(path)
        parent, last = walk(parts)
        return parent[int(last)] if isinstance(parent, list) else parent[last]

    def remove(path):
        parent, last = walk(_pointer(path))
        if isinstance(parent, list):
            return parent.pop(int(last))
        if last not in parent:
            raise APIError(422, "Invalid", f"unable to remove nonexistent key: {last}")
        return parent.pop(last)

    def add(path, value):
        parts = _pointer(path)
        if not parts:
            return value
        parent, last = walk(parts)
        if isinstance(parent, list):
            if last == "-":
                parent.append(value)
            else:
                parent.insert(int(last), value)
        else:
            parent[last] = value
        return None

    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        try:
            if kind == "add":
                replaced = add(path, copy.deepcopy(op.get("value")))
                if replaced is not None:
                    doc = replaced
            elif kind == "remove":
                remove(path)
            elif kind == "replace":
                remove(path)
                add(path, copy.deepcopy(op.get("value")))
            elif kind == "move":
                value = remove(op["from"])
                add(path, value)
            elif kind == "copy":
                add(path, copy.deepcopy(get(op["from"])))
            elif kind == "test":
                if get(path) != op.get("value"):
                    raise APIError(422, "Invalid", f"test operation failed at {path}")
            else:
                raise APIError(422, "Invalid", f"unknown JSON patch op {kind!r}")
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise APIError(422, "Invalid", f"JSON patch {kind} {path}: {exc}")
    return doc


# ---------------------------------------------------------------------------------------------------
# The store

class Store:
    def __init__(self, history_limit=5000):
        self.lock = threading.Condition()
        self.types = {}            # (group, plural) -> ResourceType
        self.objects = {}          # (group, plural, namespace, name) -> object
        self.rv = 100
        self.history = []          # (rv, type, (group, plural), object)
        self.history_limit = history_limit
        self.oldest_valid_rv = 0   # watches resuming before this get 410 Gone
        self.generation = 0        # bumped to cut every open watch
        for t in BUILTIN_TYPES:
            self.types[(t.group, t.plural)] = t

    # -- types

    def find_type(self, group, version, plural):
        t = self.types.get((group, plural))
        if t is None or t.version != version and not getattr(t, "versions", None):
            if t is not None and version in getattr(t, "versions", []):
                return t
            return None
        return t

    def register_crd(self, crd):
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        versions = [v for v in spec.get("versions", []) if v.get("served", True)]
        if not versions:
            return
        storage = next((v for v in versions if v.get("storage")), versions[0])
        t = ResourceType(spec.get("group", ""), storage["name"], names.get("plural", ""), names.get("kind", ""),
                         spec.get("scope", "Namespaced") == "Namespaced", names.get("shortNames", []),
                         status_subresource=bool(storage.get("subresources", {}).get("status") is not None),
                         builtin=False, singular=names.get("singular"))
        t.versions = [v["name"] for v in versions]
        self.types[(t.group, t.plural)] = t

    def unregister_crd(self, crd):
        spec = crd.get("spec", {})
        key = (spec.get("group", ""), spec.get("names", {}).get("plural", ""))
        self.types.pop(key, None)
        for okey in [k for k in self.objects if (k[0], k[1]) == key]:
            del self.objects[okey]

    # -- objects

    def next_rv(self):
        self.rv += 1
        return self.rv

    def record(self, event_type, t, obj):
        self.history.append((int(obj["metadata"]["resourceVersion"]), event_type, (t.group, t.plural),
                             copy.deepcopy(obj)))
        if len(self.history) > self.history_limit:
            dropped = self.history[: len(self.history) - self.history_limit]
            self.history = self.history[len(dropped):]
            self.oldest_valid_rv = max(self.oldest_valid_rv, dropped[-1][0] + 1)
        self.lock.notify_all()

    def list(self, t, namespace=None):
        return [copy.deepcopy(o) for k, o in sorted(self.objects.items())
                if (k[0], k[1]) == (t.group, t.plural) and (namespace is None or k[2] == namespace)]

    def get(self, t, namespace, name):
        obj = self.objects.get((t.group, t.plural, namespace or "", name))
        if obj is None:
            raise APIError(404, "NotFound", f'{t.plural}{"." + t.group if t.group else ""} "{name}" not found',
                           {"name": name, "group": t.group, "kind": t.plural})
        return copy.deepcopy(obj)

    def create(self, t, namespace, obj, dry_run=False):
        obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        name = meta.get("name")
        if not name and meta.get("generateName"):
            name = meta["generateName"] + uuid.uuid4().hex[:5]
            meta["name"] = name
        if not name:
            raise APIError(422, "Invalid", f"{t.kind}: metadata.name: Required value: name is required")
        if t.namespaced:
            if not namespace:
                raise APIError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise APIError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        key = (t.group, t.plural, namespace or "", name)
        if key in self.objects:
            raise APIError(409, "AlreadyExists", f'{t.plural}{"." + t.group if t.group else ""} "{name}" already exists',
                           {"name": name, "group": t.group, "kind": t.plural})
        obj["apiVersion"] = t.api_version
        obj["kind"] = t.kind
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        meta["generation"] = 1
        meta.pop("resourceVersion", None)
        if dry_run:
            meta["resourceVersion"] = str(self.rv)
            return obj
        meta["resourceVersion"] = str(self.next_rv())
        self.objects[key] = obj
        if t.plural == "customresourcedefinitions":
            self.register_crd(obj)
            obj.setdefault("status", {})["conditions"] = [
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"}]
        self.record("ADDED", t, obj)
        return copy.deepcopy(obj)

    def update(self, t, namespace, name, new, subresource=None, dry_run=False, check_rv=True):
        key = (t.group, t.plural, namespace or "", name)
        old = self.objects.get(key)
        if old is None:
            raise APIError(404, "NotFound", f'{t.plural}{"." + t.group if t.group else ""} "{name}" not found',
                           {"name": name, "group": t.group, "kind": t.plural})
        new = copy.deepcopy(new)
        meta = new.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise APIError(400, "BadRequest", "the name of the object does not match the name on the URL")
        sent_rv = meta.get("resourceVersion")
        if check_rv and sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
            raise APIError(409, "Conflict",
                           f'Operation cannot be fulfilled on {t.plural}{"." + t.group if t.group else ""} "{name}": '
                           "the object has been modified; please apply your changes to the latest version and try again",
                           {"name": name, "group": t.group, "kind": t.plural})
        if subresource == "status":
            merged = copy.deepcopy(old)
            merged["status"] = new.get("status")
            new = merged
        elif t.status_subresource:
            # Writes to the main resource do not change status when a status subresource exists.
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        for field in ("uid", "creationTimestamp"):
            new["metadata"][field] = old["metadata"][field]
        new["metadata"]["name"] = name
        if t.namespaced:
            new["metadata"]["namespace"] = namespace
        new["apiVersion"] = t.api_version
        new["kind"] = t.kind
        generation = old["metadata"].get("generation", 1)
        if new.get("spec") != old.get("spec"):
            generation += 1
        new["metadata"]["generation"] = generation
        comparable_old = {k: v for k, v in old.items() if k != "metadata"}
        comparable_new = {k: v for k, v in new.items() if k != "metadata"}
        meta_old = {k: v for k, v in old["metadata"].items() if k not in ("resourceVersion", "managedFields")}
        meta_new = {k: v for k, v in new["metadata"].items() if k not in ("resourceVersion", "managedFields")}
        if comparable_old == comparable_new and meta_old == meta_new:
            return copy.deepcopy(old)   # no-op writes do not bump the resourceVersion
        if dry_run:
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return new
        new["metadata"]["resourceVersion"] = str(self.next_rv())
        self.objects[key] = new
        if t.plural == "customresourcedefinitions":
            self.register_crd(new)
        self.record("MODIFIED", t, new)
        return copy.deepcopy(new)

    def delete(self, t, namespace, name, dry_run=False):
        key = (t.group, t.plural, namespace or "", name)
        old = self.objects.get(key)
        if old is None:
            raise APIError(404, "NotFound", f'{t.plural}{"." + t.group if t.group else ""} "{name}" not found',
                           {"name": name, "group": t.group, "kind": t.plural})
        if dry_run:
            return copy.deepcopy(old)
        del self.objects[key]
        old = copy.deepcopy(old)
        old["metadata"]["resourceVersion"] = str(self.next_rv())
        if t.plural == "customresourcedefinitions":
            self.unregister_crd(old)
        self.record("DELETED", t, old)
        return old


# ---------------------------------------------------------------------------------------------------
# HTTP

class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []             # dicts: status, count, path, method, delay_ms, watch_only
        self.outage_until = 0.0
        self.outage_listener = None   # None: every listener; "http" or "https": only that one
        self.requests = []

    def take(self, method, path, is_watch, query_string=""):
        with self.lock:
            for rule in self.rules:
                if rule["count"] == 0:
                    continue
                if rule["path"] and rule["path"] not in path:
                    continue
                if rule.get("query") and rule["query"] not in query_string:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if rule["watch"] is not None and rule["watch"] != is_watch:
                    continue
                rule["count"] -= 1
                return dict(rule)
            self.rules = [r for r in self.rules if r["count"] != 0]
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-emulator/1"

    def log_message(self, fmt, *args):
        if self.server.app.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # -- plumbing

    @property
    def app(self):
        return self.server.app

    def send_json(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_error_status(self, err):
        self.send_json(err.code, err.status())

    def read_body(self):
        if getattr(self, "_raw", None) is not None:
            return self._raw
        self._raw = self._read_body()
        return self._raw

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                data += self.rfile.read(size)
                self.rfile.readline()
            return data
        return self.rfile.read(length) if length else b""

    def parse_body(self):
        raw = self.read_body()
        if not raw:
            raise APIError(400, "BadRequest", "the request body is empty")
        try:
            return json.loads(raw)
        except ValueError:
            pass
        try:
            import yaml  # optional: kubectl sends JSON, tests may send YAML
            return yaml.safe_load(raw)
        except Exception:
            raise APIError(400, "BadRequest", "the request body is not valid JSON")

    def authorized(self):
        token = self.app.token
        if token is None or getattr(self.connection, "getpeercert", None) and self.connection.getpeercert():
            return True
        return self.headers.get("Authorization", "") == f"Bearer {token}"

    def in_outage(self):
        faults = self.app.faults
        return time.time() < faults.outage_until and faults.outage_listener in (None, self.server.listener)

    def handle_one_request(self):
        if self.in_outage():
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        try:
            super().handle_one_request()
        except (ConnectionError, ssl.SSLError, BrokenPipeError, TimeoutError):
            self.close_connection = True

    def do_GET(self):
        self.dispatch("GET")

    def do_HEAD(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -- routing

    def dispatch(self, method):
        self._raw = None
        self.read_body()   # always consume the body, or keep-alive connections desynchronise
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        path = url.path.rstrip("/") or "/"
        if path.startswith("/_emulator/"):
            return self.admin(method, path, query)
        if self.in_outage():
            # A keep-alive connection accepted before the outage: drop it without an answer.
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        is_watch = query.get("watch", "").lower() in ("true", "1")
        with self.app.faults.lock:
            self.app.faults.requests.append({"method": method, "path": path, "query": url.query, "listener": self.server.listener,
                                             "watch": is_watch, "userAgent": self.headers.get("User-Agent", "")})
        rule = self.app.faults.take(method, path, is_watch, url.query)
        if rule:
            if rule.get("delay_ms"):
                time.sleep(rule["delay_ms"] / 1000.0)
            if is_watch and rule.get("close"):
                # A watch the server accepts and ends at once, without an event.
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                return self.end_chunks()
            if is_watch and rule.get("huge_line"):
                # A watch line that does not end: huge_line bytes, no newline, then silence.
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    piece = b"x" * (1 << 20)
                    left = rule["huge_line"]
                    while left > 0:
                        data = piece[:left]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        left -= len(data)
                    self.wfile.flush()
                    time.sleep(30)
                except (BrokenPipeError, ConnectionError, OSError):
                    pass
                self.close_connection = True
                return
            if rule.get("status"):
                code = rule["status"]
                reasons = {410: "Expired", 401: "Unauthorized", 403: "Forbidden", 500: "InternalError",
                           503: "ServiceUnavailable", 429: "TooManyRequests", 404: "NotFound"}
                message = {410: "too old resource version", 401: "Unauthorized"}.get(code, "injected fault")
                return self.send_error_status(APIError(code, reasons.get(code, "Unknown"), message))
        if not self.authorized():
            return self.send_error_status(APIError(401, "Unauthorized", "Unauthorized"))
        try:
            if path in ("/healthz", "/readyz", "/livez"):
                body = b"ok"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if path == "/version":
                return self.send_json(200, self.app.version_info())
            if path == "/metrics" and method == "GET":
                # kube-apiserver's metrics endpoint: Prometheus text format, whatever the test seeded.
                body = self.app.metrics.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if path == "/api":
                return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": self.headers.get("Host", "")}]})
            if path == "/apis":
                return self.send_json(200, self.app.group_list())
            if path == "/openapi/v2":
                # An empty gnostic Document (zero protobuf bytes): kubectl's client-side validation then
                # finds no schema and defers to the server, as it does for schemaless CRDs.
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            parts = path.strip("/").split("/")
            if parts[0] == "api" and len(parts) >= 2:
                group, version, rest = "", parts[1], parts[2:]
            elif parts[0] == "apis" and len(parts) >= 3:
                group, version, rest = parts[1], parts[2], parts[3:]
            elif parts[0] == "apis" and len(parts) == 2:
                return self.send_json(200, self.app.group(parts[1]))
            else:
                raise APIError(404, "NotFound", f"the server could not find the requested resource ({path})")
            if not rest:
                return self.send_json(200, self.app.resource_list(group, version))
            return self.resource_request(method, group, version, rest, query, is_watch)
        except APIError as err:
            return self.send_error_status(err)

    def resource_request(self, method, group, version, rest, query, is_watch):
        store = self.app.store
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        plural = rest[0]
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        with store.lock:
            t = store.find_type(group, version, plural)
        if t is None:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        if not t.namespaced and namespace is not None:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        if t.namespaced and name is not None and namespace is None:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        if sub and sub != "status":
            raise APIError(404, "NotFound", f"the server could not find the requested resource ({sub})")
        if sub == "status" and not t.status_subresource:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        dry_run = query.get("dryRun") == "All"

        if method == "GET" and name is None:
            if is_watch:
                return self.watch(t, namespace, query)
            return self.list(t, namespace, query)
        if method == "GET":
            with store.lock:
                return self.send_json(200, store.get(t, namespace, name))
        if method == "POST" and name is None:
            body = self.parse_body()
            if body.get("kind") and body["kind"] != t.kind:
                raise APIError(400, "BadRequest", f"the kind of the object ({body['kind']}) does not match {t.kind}")
            with store.lock:
                return self.send_json(201, store.create(t, namespace, body, dry_run))
        if method == "PUT" and name is not None:
            body = self.parse_body()
            with store.lock:
                return self.send_json(200, store.update(t, namespace, name, body, sub, dry_run))
        if method == "PATCH" and name is not None:
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            body = self.parse_body()
            with store.lock:
                current = store.get(t, namespace, name)
                if ctype == "application/merge-patch+json":
                    patched = merge_patch(current, body)
                elif ctype == "application/json-patch+json":
                    patched = json_patch(current, body)
                elif ctype == "application/strategic-merge-patch+json":
                    if not t.builtin:
                        raise APIError(415, "UnsupportedMediaType",
                                       "strategic merge patch is not supported for custom resources; use a merge patch")
                    patched = strategic_merge(current, body)
                else:
                    raise APIError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json")
                if sub != "status" and patched.get("metadata", {}).get("resourceVersion") == current["metadata"]["resourceVersion"]:
                    pass
                return self.send_json(200, store.update(t, namespace, name, patched, sub, dry_run,
                                                        check_rv="resourceVersion" in (body.get("metadata") or {}) if isinstance(body, dict) else False))
        if method == "DELETE" and name is not None:
            with store.lock:
                return self.send_json(200, store.delete(t, namespace, name, dry_run))
        raise APIError(405, "MethodNotAllowed", f"{method} is not supported on this resource")

    def matcher(self, query):
        labels = parse_label_selector(query.get("labelSelector", ""))
        fields = parse_field_selector(query.get("fieldSelector", ""))
        return lambda obj: labels_match(labels, obj.get("metadata", {}).get("labels")) and fields_match(fields, obj)

    def list(self, t, namespace, query):
        match = self.matcher(query)
        store = self.app.store
        try:
            limit = int(query.get("limit") or 0)
        except ValueError:
            raise APIError(400, "BadRequest", f"invalid limit {query.get('limit')!r}")
        token = query.get("continue")
        with store.lock:
            if token:
                # As kube-apiserver: later pages come from the first page's resourceVersion; once that
                # is compacted the token has expired.
                try:
                    state = json.loads(base64.urlsafe_b64decode(token.encode()))
                    snapshot_id, offset, rv = state["id"], int(state["offset"]), int(state["rv"])
                except (ValueError, KeyError, TypeError):
                    raise APIError(400, "BadRequest", "continue key is not valid")
                snapshot = self.app.list_snapshots.get(snapshot_id)
                if snapshot is None or rv < store.oldest_valid_rv - 1:
                    raise APIError(410, "Expired", "The provided continue parameter is too old to display a consistent list "
                                   "result. You can start a new list without the continue parameter.")
                items = snapshot
            else:
                items = [o for o in store.list(t, namespace) if match(o)]
                rv, offset, snapshot_id = store.rv, 0, None
        metadata = {"resourceVersion": str(rv)}
        page = items[offset:]
        if limit > 0 and len(page) > limit:
            if snapshot_id is None:
                snapshot_id = self.app.remember_list(items)
            page = page[:limit]
            rest = len(items) - offset - limit
            metadata["continue"] = base64.urlsafe_b64encode(json.dumps(
                {"id": snapshot_id, "offset": offset + limit, "rv": rv}).encode()).decode()
            metadata["remainingItemCount"] = rest
        self.send_json(200, {"kind": t.kind + "List", "apiVersion": t.api_version,
                             "metadata": metadata, "items": page})

    # -- watch

    def watch(self, t, namespace, query):
        store = self.app.store
        match = self.matcher(query)
        bookmarks = query.get("allowWatchBookmarks", "").lower() in ("true", "1")
        timeout = float(query.get("timeoutSeconds") or self.app.watch_timeout)
        deadline = time.time() + timeout
        since = query.get("resourceVersion", "")
        with store.lock:
            generation = store.generation
            if since not in ("", "0"):
                try:
                    since_rv = int(since)
                except ValueError:
                    raise APIError(400, "BadRequest", f"invalid resource version {since!r}")
                # kube-apiserver (cacher waitUntilFreshAndBlock): a resourceVersion the cache has not
                # reached is waited for ~3 s, then refused with 504 / ResourceVersionTooLarge.
                wait_until = time.time() + self.app.too_large_wait
                while since_rv > store.rv and time.time() < wait_until:
                    store.lock.wait(timeout=max(0.0, min(0.2, wait_until - time.time())))
                if since_rv > store.rv:
                    raise APIError(504, "Timeout", f"Timeout: Too large resource version: {since_rv}, current: {store.rv}",
                                   {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                                    "retryAfterSeconds": 1})
                if since_rv < store.oldest_valid_rv - 1:
                    expired = True
                else:
                    expired = False
                initial = []
            else:
                expired = False
                initial = [o for o in store.list(t, namespace) if match(o)]
                since_rv = store.rv
            cursor_rv = since_rv
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.app.register_watch(self)
        try:
            if expired:
                self.chunk({"type": "ERROR", "object": APIError(410, "Expired", f"too old resource version: {since} ({store.oldest_valid_rv})").status()})
                return self.end_chunks()
            for obj in initial:
                self.chunk({"type": "ADDED", "object": obj})
            last_bookmark = time.time()
            while True:
                with store.lock:
                    pending = [h for h in store.history if h[0] > cursor_rv]
                    if not pending:
                        store.lock.wait(timeout=0.2)
                        pending = [h for h in store.history if h[0] > cursor_rv]
                    cut = store.generation != generation
                    current_rv = store.rv
                if cut or self.in_outage():
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                for rv, event_type, key, obj in pending:
                    cursor_rv = rv
                    if key != (t.group, t.plural):
                        continue
                    if namespace is not None and obj["metadata"].get("namespace") != namespace:
                        continue
                    if not match(obj):
                        continue
                    self.chunk({"type": event_type, "object": obj})
                if bookmarks and time.time() - last_bookmark >= self.app.bookmark_interval:
                    last_bookmark = time.time()
                    cursor_rv = max(cursor_rv, current_rv)
                    self.chunk({"type": "BOOKMARK", "object": {"kind": t.kind, "apiVersion": t.api_version,
                                                                "metadata": {"resourceVersion": str(cursor_rv),
                                                                             "annotations": {"k8s.io/initial-events-end": "true"}}}})
                if time.time() >= deadline:
                    return self.end_chunks()
        except (BrokenPipeError, ConnectionError, ssl.SSLError, OSError):
            self.close_connection = True
        finally:
            self.app.unregister_watch(self)

    def chunk(self, event):
        data = (json.dumps(event) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- admin

    def admin(self, method, path, query):
        app = self.app
        action = path[len("/_emulator/"):]
        body = None
        if method in ("POST", "PUT") and int(self.headers.get("Content-Length") or 0):
            body = json.loads(self.read_body())
        if action == "requests" and method == "GET":
            with app.faults.lock:
                return self.send_json(200, {"requests": list(app.faults.requests)})
        if action == "requests" and method == "DELETE":
            with app.faults.lock:
                app.faults.requests.clear()
            return self.send_json(200, {"ok": True})
        if action == "fault" and method == "POST":
            rule = {"status": int(query.get("status", 0)) or None, "count": int(query.get("count", 1)),
                    "path": query.get("path"), "method": query.get("method"),
                    "delay_ms": int(query.get("delayMs", 0)), "query": query.get("query"),
                    "close": query.get("close") == "true", "huge_line": int(query.get("hugeLine", 0)),
                    "watch": {"true": True, "false": False}.get(query.get("watch", ""), None)}
            with app.faults.lock:
                app.faults.rules.append(rule)
            return self.send_json(200, {"ok": True})
        if action == "clear-faults" and method == "POST":
            with app.faults.lock:
                app.faults.rules.clear()
                app.faults.outage_until = 0
            return self.send_json(200, {"ok": True})
        if action == "cut-watches" and method == "POST":
            with app.store.lock:
                app.store.generation += 1
                app.store.lock.notify_all()
            return self.send_json(200, {"ok": True, "watches": app.watch_count()})
        if action == "compact" and method == "POST":
            with app.store.lock:
                app.store.oldest_valid_rv = app.store.rv + 1
                app.store.history.clear()
            return self.send_json(200, {"ok": True, "resourceVersion": app.store.rv})
        if action == "etcd-snapshot" and method == "POST":
            with app.store.lock:
                app.etcd_snapshot = (copy.deepcopy(app.store.objects), app.store.rv)
            return self.send_json(200, {"ok": True, "resourceVersion": app.store.rv})
        if action == "etcd-restore" and method == "POST":
            # As restoring an etcd snapshot: the objects and the resourceVersion go back to the snapshot's,
            # the watch history is gone, and every open watch is cut (the API server restarts).
            with app.store.lock:
                objects, rv = app.etcd_snapshot
                app.store.objects = copy.deepcopy(objects)
                app.store.rv = rv
                app.store.history.clear()
                app.store.oldest_valid_rv = rv
                app.store.generation += 1
                app.store.lock.notify_all()
            return self.send_json(200, {"ok": True, "resourceVersion": rv})
        if action == "outage" and method == "POST":
            seconds = float(query.get("seconds", 3))
            with app.faults.lock:
                app.faults.outage_until = time.time() + seconds
                app.faults.outage_listener = query.get("listener")
            with app.store.lock:
                app.store.generation += 1
                app.store.lock.notify_all()
            return self.send_json(200, {"ok": True})
        if action == "metrics" and method == "POST":
            app.metrics = (body or {}).get("text", "")
            return self.send_json(200, {"ok": True})
        if action == "seed" and method == "POST":
            created = app.seed(body or [])
            return self.send_json(200, {"ok": True, "count": created})
        if action == "watches" and method == "GET":
            return self.send_json(200, {"watches": app.watch_count()})
        if action == "state" and method == "GET":
            with app.store.lock:
                return self.send_json(200, {"resourceVersion": app.store.rv, "objects": len(app.store.objects)})
        return self.send_json(404, {"error": f"unknown admin action {action}"})


# What /metrics answers until a test sets it: a few of kube-apiserver's series, no deprecated API requested.
DEFAULT_METRICS = """# HELP apiserver_requested_deprecated_apis [STABLE] Gauge of deprecated APIs that have been requested, broken out by API group, version, resource, subresource, and removed_release.
# TYPE apiserver_requested_deprecated_apis gauge
# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split by kind.
# TYPE apiserver_storage_objects gauge
apiserver_storage_objects{resource="nodes"} 3
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.7e+09
"""


class App:
    def __init__(self, args):
        self.store = Store(history_limit=args.history_limit)
        self.too_large_wait = args.too_large_wait
        self.etcd_snapshot = ({}, 0)
        self.metrics = DEFAULT_METRICS
        self.faults = Faults()
        self.token = args.token
        self.verbose = args.verbose
        self.bookmark_interval = args.bookmark_interval
        self.watch_timeout = args.watch_timeout
        self.kube_version = args.kube_version
        self.watches = set()
        self.watch_lock = threading.Lock()
        self.list_snapshots = {}    # id -> the items of a paged list, as of its first page
        self.list_lock = threading.Lock()

    def remember_list(self, items):
        with self.list_lock:
            snapshot_id = uuid.uuid4().hex
            self.list_snapshots[snapshot_id] = items
            while len(self.list_snapshots) > 32:
                del self.list_snapshots[next(iter(self.list_snapshots))]
            return snapshot_id

    def register_watch(self, handler):
        with self.watch_lock:
            self.watches.add(handler)

    def unregister_watch(self, handler):
        with self.watch_lock:
            self.watches.discard(handler)

    def watch_count(self):
        with self.watch_lock:
            return len(self.watches)

    def version_info(self):
        m = re.match(r"v(\d+)\.(\d+)", self.kube_version)
        return {"major": m.group(1), "minor": m.group(2), "gitVersion": self.kube_version,
                "gitCommit": "0" * 40, "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z",
                "goVersion": "go1.24.11", "compiler": "gc", "platform": "linux/amd64"}

    def _groups(self):
        with self.store.lock:
            types = list(self.store.types.values())
        groups = {}
        for t in types:
            if t.group:
                versions = getattr(t, "versions", [t.version])
                entry = groups.setdefault(t.group, [])
                for v in versions:
                    if v not in entry:
                        entry.append(v)
        return groups

    def group(self, name):
        versions = self._groups().get(name)
        if not versions:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        return {"kind": "APIGroup", "apiVersion": "v1", "name": name,
                "versions": [{"groupVersion": f"{name}/{v}", "version": v} for v in versions],
                "preferredVersion": {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}}

    def group_list(self):
        return {"kind": "APIGroupList", "apiVersion": "v1",
                "groups": [self.group(name) for name in sorted(self._groups())]}

    def resource_list(self, group, version):
        with self.store.lock:
            types = [t for t in self.store.types.values()
                     if t.group == group and version in getattr(t, "versions", [t.version])]
        if not types:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        resources = []
        for t in sorted(types, key=lambda t: t.plural):
            resources.append({"name": t.plural, "singularName": t.singular, "namespaced": t.namespaced,
                              "kind": t.kind, "verbs": verbs, "shortNames": t.short_names})
            if t.status_subresource:
                resources.append({"name": t.plural + "/status", "singularName": "", "namespaced": t.namespaced,
                                  "kind": t.kind, "verbs": ["get", "patch", "update"]})
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version, "resources": resources}

    def seed(self, objects):
        if isinstance(objects, dict):
            objects = objects.get("items", [objects])
        count = 0
        # CRDs first, so that their objects have a home.
        for obj in sorted(objects, key=lambda o: 0 if o.get("kind") == "CustomResourceDefinition" else 1):
            api_version = obj.get("apiVersion", "v1")
            group, _, version = api_version.rpartition("/")
            with self.store.lock:
                t = next((t for t in self.store.types.values()
                          if t.kind == obj.get("kind") and t.group == group), None)
                if t is None:
                    raise APIError(400, "BadRequest", f"no resource type for {api_version} {obj.get('kind')}")
                namespace = obj.get("metadata", {}).get("namespace") or ("default" if t.namespaced else None)
                status = obj.get("status")
                try:
                    self.store.get(t, namespace, obj["metadata"]["name"])
                    current = self.store.update(t, namespace, obj["metadata"]["name"], obj, check_rv=False)
                except APIError:
                    current = self.store.create(t, namespace, obj)
                if status is not None and t.status_subresource:
                    current["status"] = status
                    self.store.update(t, namespace, obj["metadata"]["name"], current, "status", check_rv=False)
            count += 1
        return count


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, app, tls_context=None):
        self.app = app
        self.tls_context = tls_context
        self.listener = "https" if tls_context else "http"
        super().__init__(address, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        faults = self.app.faults
        if time.time() < faults.outage_until and faults.outage_listener in (None, self.listener):
            sock.close()
            raise OSError("outage")
        if self.tls_context is not None:
            sock.settimeout(10)
            try:
                sock = self.tls_context.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError):
                sock.close()
                raise
            sock.settimeout(None)
        return sock, addr

    def handle_error(self, request, client_address):
        if self.app.verbose:
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int)
    parser.add_argument("--https-port", type=int)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--client-ca", help="require client certificates signed by this CA")
    parser.add_argument("--token", help="require this bearer token on the plain-HTTP listener")
    parser.add_argument("--seed", help="JSON file: a list (or List) of objects to create at start")
    parser.add_argument("--ready-file", help="write {\"http\": port, \"https\": port} here once listening")
    parser.add_argument("--bookmark-interval", type=float, default=2.0)
    parser.add_argument("--watch-timeout", type=float, default=1800.0)
    parser.add_argument("--history-limit", type=int, default=5000)
    parser.add_argument("--too-large-wait", type=float, default=3.0,
                        help="seconds a watch from a future resourceVersion waits before 504 ResourceVersionTooLarge")
    parser.add_argument("--kube-version", default="v1.31.6+rke2r1")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone (tests that crash leave no emulator behind)")
    args = parser.parse_args()

    app = App(args)
    if args.seed:
        with open(args.seed) as f:
            app.seed(json.load(f))
    servers, ports = [], {}
    if args.http_port is not None:
        s = Server((args.host, args.http_port), app)
        servers.append(s)
        ports["http"] = s.server_address[1]
    if args.https_port is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.client_ca)
        context.set_alpn_protocols(["http/1.1"])
        s = Server((args.host, args.https_port), app, context)
        servers.append(s)
        ports["https"] = s.server_address[1]
    if not servers:
        parser.error("give --http-port and/or --https-port")
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(ports, f)
        os.rename(tmp, args.ready_file)
    sys.stderr.write(f"kube-emulator listening: {ports}\n")
    sys.stderr.flush()
    try:
        while True:
            time.sleep(0.5)
            if args.parent_pid and os.getppid() != args.parent_pid:
                break
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
