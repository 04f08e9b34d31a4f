import Foundation
import Yams

/// A component the deploy controller will not deploy (it deletes the manifest and what it created),
/// with where that decision comes from, so the dashboard can say "disabled in config.yaml.d/50-x.yaml".
public struct DisabledComponent: Sendable, Hashable, Codable {
    public let name: String
    public let source: String
    /// True for what RKE2 disables by itself (unselected CNIs, ingress, k3s packaged items).
    public let implicit: Bool

    public init(name: String, source: String, implicit: Bool = false) {
        self.name = name
        self.source = source
        self.implicit = implicit
    }
}

/// RKE2's effective configuration on this node, as RKE2 itself merges it (docs/rke2-rules.md#rke2-config-files-and-drop-ins):
/// `config.yaml`, then `config.yaml.d/*.yaml` in lexical order, the last value of a key winning unless
/// written `key+:`, then the running process' own flags.
public struct RKE2Config: Sendable, Equatable {
    /// The files read, in merge order.
    public let files: [String]
    /// Merged values: strings and lists of strings (other YAML values are kept as their text).
    public let values: [String: [String]]
    /// Where each key's current value came from (the last file that set it, or "flag").
    public let sources: [String: String]
    /// Explicit disables from config and flags, then implicit ones, each name once: those the running
    /// rke2 was started with (see `load`).
    public let disabled: [DisabledComponent]
    /// Disables in the config now that the running rke2 did not start with: they take effect at the
    /// next restart (a `disable:`, `cni:` or `ingress-controller:` written since it started).
    public var disabledAtRestart: [DisabledComponent] = []
    /// Config files changed since the running rke2 started (their content is not what it runs with).
    public var changedSinceStart: [String] = []

    public var explicitlyDisabled: [DisabledComponent] { disabled.filter { !$0.implicit } }

    public init(files: [String], values: [String: [String]], sources: [String: String], disabled: [DisabledComponent]) {
        self.files = files
        self.values = values
        self.sources = sources
        self.disabled = disabled
    }

    /// Stands in when the config could not be read; the error is shown next to it.
    public static let emptyForErrors = RKE2Config(files: [], values: [:], sources: [:], disabled: [])

    public func disabledComponent(named name: String) -> DisabledComponent? {
        disabled.first { $0.name == name }
    }

    /// `disable-apiserver` (an etcd-only server): k3s `stageFiles` returns at once when
    /// `DisableAPIServer` is set (`pkg/server/server.go`), so this node runs no deploy controller.
    public var runsDeployController: Bool { !flag("disable-apiserver") }

    /// A boolean flag as rke2 reads it: Go's `strconv.ParseBool` (1, t, T, TRUE, true, True).
    public func flag(_ key: String) -> Bool {
        ["1", "t", "T", "TRUE", "true", "True"].contains(string(key) ?? "")
    }

    public func string(_ key: String) -> String? { values[key]?.last }

    /// The CNI list (`cni:`), default canal.
    public var cni: [String] { Self.cni(values) }

    static func cni(_ values: [String: [String]]) -> [String] {
        let listed = (values["cni"] ?? []).flatMap(splitCommas)
        return listed.isEmpty ? ["canal"] : listed
    }

    static func splitCommas(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Reads the config file and its drop-ins and merges `processArgs` (the running rke2's argv after
    /// the subcommand) and `environment` (its `/proc/PID/environ`). `version` selects version-dependent
    /// implicit disables; nil skips them. A missing config file is an empty config; a malformed one is
    /// an `input` error naming file and line.
    ///
    /// Disables are fixed when rke2 starts (k3s `ControlConfig.Disables` is built once and handed to
    /// `deploy.WatchFiles`, which never reloads it; rke2#4624; docs/rke2-rules.md#rke2-disables-are-fixed-at-start). With `startedAt` (the
    /// running process' start), a config file modified after it is not what rke2 runs with: `disabled`
    /// and `values` leave it out, and what it adds is `disabledAtRestart`. (What such a file held at the
    /// start cannot be known; its disables are shown as taking effect at the restart.)
    public static func load(configFile: String, processArgs: [String] = [], version: RKE2Version? = nil,
                            environment: [String: String] = [:], startedAt: Date? = nil, role: NodeRole? = nil) throws -> RKE2Config {
        var files: [(path: String, changed: Bool)] = []
        func changed(_ st: stat) -> Bool {
            guard let startedAt else { return false }
            let mtime = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec) + TimeInterval(st.st_mtim.tv_nsec) / 1e9)
            return mtime.timeIntervalSince(startedAt) > 1          // start times are known to 1/100 s, boot time to 1 s
        }
        if let st = POSIX.fileInfo(configFile) { files.append((configFile, changed(st))) }
        // k3s `pkg/configfilearg` `dotDFiles`: `os.ReadDir` (sorted by name), directories skipped,
        // `.yaml`/`.yml` in any case (`util.HasSuffixI`).
        let dropIns = configFile + ".d"
        if let st = POSIX.fileInfo(dropIns), POSIX.isDirectory(st) {
            for name in try POSIX.listDirectory(dropIns) {
                let ext = (name as NSString).pathExtension.lowercased()
                guard ext == "yaml" || ext == "yml", let lst = POSIX.linkInfo(dropIns + "/" + name), !POSIX.isDirectory(lst) else { continue }
                files.append((dropIns + "/" + name, POSIX.fileInfo(dropIns + "/" + name).map(changed) ?? false))
            }
        }
        var parsed: [(file: String, changed: Bool, label: String, pairs: [(String, [String])])] = []
        for file in files {
            guard let data = try POSIX.readFileIfPresent(file.path) else { continue }
            parsed.append((file.path, file.changed, label(for: file.path, configFile: configFile), try parse(data, file: file.path)))
        }
        let flags = flagValues(processArgs)
        func merge(includeChanged: Bool) -> (values: [String: [String]], sources: [String: String], disabled: [DisabledComponent]) {
            var values: [String: [String]] = [:]
            var sources: [String: String] = [:]
            var disabled: [DisabledComponent] = []
            for file in parsed where includeChanged || !file.changed {
                for (rawKey, items) in file.pairs {
                    let append = rawKey.hasSuffix("+")
                    let key = append ? String(rawKey.dropLast()) : rawKey
                    if key == "disable" {
                        let names = items.flatMap(splitCommas)
                        if !append { disabled.removeAll() }
                        disabled += names.map { DisabledComponent(name: $0, source: file.label) }
                    }
                    values[key] = append ? (values[key] ?? []) + items : items
                    sources[key] = file.label
                }
            }
            for (key, value) in flags {
                if key == "disable" {
                    disabled += value.flatMap(splitCommas).map { DisabledComponent(name: $0, source: "--disable flag") }
                }
                // Slice flags add to the config's values; scalar flags override them.
                values[key] = sliceFlags.contains(key) ? (values[key] ?? []) + value : [value.last ?? ""]
                sources[key] = "flag"
            }
            // urfave/cli reads a flag's environment variables only when neither the command line nor the
            // config (which k3s turns into arguments) sets it: `--cni` reads RKE2_CNI, `--ingress-controller`
            // RKE2_INGRESS_CONTROLLER then RKE_INGRESS_CONTROLLER (rke2 `pkg/cli/cmds/server.go`).
            for (key, variables) in environmentFlags(version) where values[key] == nil {
                if let variable = variables.first(where: { environment[$0] != nil }), let value = environment[variable] {
                    values[key] = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    sources[key] = variable
                }
            }
            disabled += implicitDisables(values: values, sources: sources, version: version, role: role)
            var seen = Set<String>()
            return (values, sources, disabled.filter { seen.insert($0.name).inserted })
        }
        let atStart = merge(includeChanged: false)
        var config = RKE2Config(files: files.map(\.path), values: atStart.values, sources: atStart.sources, disabled: atStart.disabled)
        config.changedSinceStart = parsed.filter(\.changed).map(\.file)
        if !config.changedSinceStart.isEmpty {
            let next = merge(includeChanged: true)
            let now = Set(atStart.disabled.map(\.name))
            config.disabledAtRestart = next.disabled.filter { !now.contains($0.name) }
        }
        return config
    }

    /// The environment variables rke2 reads for the flags that select charts. RKE2_INGRESS_CONTROLLER
    /// exists from v1.33.10, v1.34.6, v1.35.3 and v1.36 (rancher/rke2 tags); RKE_INGRESS_CONTROLLER in all.
    static func environmentFlags(_ version: RKE2Version?) -> [(String, [String])] {
        var ingress = ["RKE_INGRESS_CONTROLLER"]
        let withRKE2: Bool
        if let version, version.major == 1 {
            switch version.minor {
            case ..<33: withRKE2 = false
            case 33: withRKE2 = version.patch >= 10
            case 34: withRKE2 = version.patch >= 6
            case 35: withRKE2 = version.patch >= 3
            default: withRKE2 = true
            }
        } else {
            withRKE2 = true
        }
        if withRKE2 { ingress.insert("RKE2_INGRESS_CONTROLLER", at: 0) }
        return [("cni", ["RKE2_CNI"]), ("ingress-controller", ingress)]
    }

    private static let sliceFlags: Set<String> = ["disable", "cni", "node-label", "node-taint", "tls-san"]

    private static func label(for file: String, configFile: String) -> String {
        let base = (configFile as NSString).lastPathComponent
        if file == configFile { return base }
        return base + ".d/" + (file as NSString).lastPathComponent
    }

    /// Top-level keys of one config file, each as a list of strings.
    static func parse(_ data: Data, file: String) throws -> [(String, [String])] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw UpgradeError.input("\(file): not UTF-8 text")
        }
        let node: Node?
        do {
            node = try YAMLText.compose(text)
        } catch let error as YamlError {
            throw UpgradeError.input("\(file): \(describe(error))")
        }
        guard let node else { return [] }
        guard case let .mapping(mapping) = node else {
            throw UpgradeError.input("\(file):\(node.mark?.line ?? 1): the config must be a mapping of keys to values")
        }
        var result: [(String, [String])] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else {
                throw UpgradeError.input("\(file):\(keyNode.mark?.line ?? 0): a key must be a string")
            }
            switch valueNode {
            case let .scalar(scalar):
                result.append((key, [scalar.string]))
            case let .sequence(sequence):
                var items: [String] = []
                for item in sequence {
                    guard case let .scalar(scalar) = item else {
                        throw UpgradeError.input("\(file):\(item.mark?.line ?? 0): \(key): list items must be plain values")
                    }
                    items.append(scalar.string)
                }
                result.append((key, items))
            case .mapping, .alias:
                if key.hasPrefix("disable") || key.hasPrefix("cni") {
                    throw UpgradeError.input("\(file):\(valueNode.mark?.line ?? 0): \(key): expected a list or a comma-separated string")
                }
                result.append((key, [(try? Yams.serialize(node: valueNode)) ?? ""]))
            }
        }
        return result
    }

    static func describe(_ error: YamlError) -> String {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let contextText = context.map { "\($0.text) " } ?? ""
            return "line \(mark.line), column \(mark.column): \(contextText)\(problem)"
        case let .duplicatedKeysInMapping(duplicates, context):
            return "line \(context.mark.line): duplicated keys \(duplicates.joined(separator: ", "))"
        default:
            return error.description.split(separator: "\n").first.map(String.init) ?? "malformed YAML"
        }
    }

    /// `--key value`, `--key=value` and `-d value` pairs from an rke2 command line.
    static func flagValues(_ args: [String]) -> [(String, [String])] {
        let aliases = ["d": "data-dir", "c": "config"]
        var result: [(String, [String])] = []
        var index = 0
        while index < args.count {
            let arg = args[index]
            index += 1
            guard arg.hasPrefix("-"), arg.count > 1 else { continue }
            var name = String(arg.drop { $0 == "-" })
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            } else if index < args.count, !args[index].hasPrefix("-") {
                value = args[index]
                index += 1
            }
            name = aliases[name] ?? name
            guard let value else { continue }
            if let existing = result.firstIndex(where: { $0.0 == name }) {
                result[existing].1.append(value)
            } else {
                result.append((name, [value]))
            }
        }
        return result
    }

    /// What RKE2 disables without being told (rke2 `pkg/cli/cmds/server.go` `validateCNI`,
    /// `validateIngress`, `disableExceptSelected`; `root.go` `validateCloudProvider[Name]`; `pkg/rke2/rke2.go`).
    static func implicitDisables(values: [String: [String]], sources: [String: String] = [:], version: RKE2Version?,
                                 role: NodeRole? = nil) -> [DisabledComponent] {
        var result: [DisabledComponent] = []
        let cniList = cni(values).map { $0.lowercased() }
        let cniSource = "cni: \(cniList.joined(separator: ","))" + (sources["cni"].map { $0.hasPrefix("RKE2_") ? " (\($0))" : "" } ?? "")
        for plugin in ["calico", "canal", "cilium", "flannel"] where !cniList.contains(plugin) {
            result.append(.init(name: "rke2-\(plugin)", source: cniSource, implicit: true))
            result.append(.init(name: "rke2-\(plugin)-crd", source: cniSource, implicit: true))
        }
        if cniList.first != "multus" {
            result.append(.init(name: "rke2-multus", source: cniSource, implicit: true))
        }
        if let items = ingressItems(version) {
            // Unselected ingress charts are added to the disable list, `rke2-<x>` and `rke2-<x>-crd`
            // (the default is ingress-nginx); v1.36 truncates their files instead (commit 003f022f8).
            let selected = (values["ingress-controller"] ?? []).flatMap(splitCommas)
            let effective = selected.isEmpty ? ["ingress-nginx"] : selected
            let source = "ingress-controller: \(effective.joined(separator: ","))"
                + (sources["ingress-controller"].map { $0.hasPrefix("RKE") ? " (\($0))" : "" } ?? "")
            for item in items where !effective.contains(item) {
                result.append(.init(name: "rke2-\(item)", source: source, implicit: true))
                result.append(.init(name: "rke2-\(item)-crd", source: source, implicit: true))
            }
        }
        if role != .agent {
            // Bundled cloud-provider charts are disabled unless that provider is `cloud-provider-name`.
            let provider = values["cloud-provider-name"]?.last ?? ""
            var providers: [(String, [String])] = [("rancher-vsphere", ["rancher-vsphere-csi", "rancher-vsphere-cpi"]),
                                                    ("harvester", ["harvester-csi-driver", "harvester-cloud-provider"])]
            if let version, version.major == 1, version.minor >= 36 { providers.append(("ovirt", ["rke2-ovirt-csi-driver"])) }
            for (name, charts) in providers where name != provider {
                result += charts.map { .init(name: $0, source: "cloud-provider-name: \(provider.isEmpty ? "(none)" : provider)", implicit: true) }
            }
        }
        for item in ["coredns", "servicelb", "traefik", "local-storage", "metrics-server", "runtimes"]
        where values["enable-\(item)"]?.last != "true" {
            result.append(.init(name: item, source: "k3s packaged component (RKE2 replaces it)", implicit: true))
        }
        return result
    }

    /// The ingress items `validateIngress` knows, by version: none before v1.28.12 / v1.29.7 / v1.30.3
    /// (no selection), `ingress-nginx` in v1.28.12+ and v1.29.7+, `ingress-nginx` and `traefik` from
    /// v1.30.3 to v1.35 (rancher/rke2 tags, `pkg/rke2/rke2.go` `IngressItems`); none from v1.36.
    static func ingressItems(_ version: RKE2Version?) -> [String]? {
        guard let version, version.major == 1 else { return nil }
        switch (version.minor, version.patch) {
        case (28, 12...), (29, 7...): return ["ingress-nginx"]
        case (30, 3...), (31...35, _): return ["ingress-nginx", "traefik"]
        default: return nil
        }
    }
}
