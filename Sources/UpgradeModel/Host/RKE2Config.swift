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

/// RKE2's effective configuration on this node, as RKE2 itself merges it (RKE2-FACTS §3.2):
/// `config.yaml`, then `config.yaml.d/*.yaml` in lexical order, the last value of a key winning unless
/// written `key+:`, then the running process' own flags.
public struct RKE2Config: Sendable, Equatable {
    /// The files read, in merge order.
    public let files: [String]
    /// Merged values: strings and lists of strings (other YAML values are kept as their text).
    public let values: [String: [String]]
    /// Where each key's current value came from (the last file that set it, or "flag").
    public let sources: [String: String]
    /// Explicit disables from config and flags, then implicit ones, each name once.
    public let disabled: [DisabledComponent]

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
    /// the subcommand). `version` selects version-dependent implicit disables; nil skips them.
    /// A missing config file is an empty config; a malformed one is an `input` error naming file and line.
    public static func load(configFile: String, processArgs: [String] = [], version: RKE2Version? = nil) throws -> RKE2Config {
        var files: [String] = []
        if POSIX.fileInfo(configFile) != nil { files.append(configFile) }
        let dropIns = configFile + ".d"
        if let st = POSIX.fileInfo(dropIns), POSIX.isDirectory(st) {
            for name in try POSIX.listDirectory(dropIns) where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                // RKE2 skips directories among the drop-ins; anything else that is not a regular file is an error.
                if let st = POSIX.fileInfo(dropIns + "/" + name), POSIX.isDirectory(st) { continue }
                files.append(dropIns + "/" + name)
            }
        }
        var values: [String: [String]] = [:]
        var sources: [String: String] = [:]
        var disabled: [DisabledComponent] = []
        for file in files {
            guard let data = try POSIX.readFileIfPresent(file) else { continue }
            let label = label(for: file, configFile: configFile)
            for (rawKey, items) in try parse(data, file: file) {
                let append = rawKey.hasSuffix("+")
                let key = append ? String(rawKey.dropLast()) : rawKey
                if key == "disable" {
                    let names = items.flatMap(splitCommas)
                    if !append { disabled.removeAll() }
                    disabled += names.map { DisabledComponent(name: $0, source: label) }
                }
                values[key] = append ? (values[key] ?? []) + items : items
                sources[key] = label
            }
        }
        for (key, value) in flagValues(processArgs) {
            if key == "disable" {
                disabled += value.flatMap(splitCommas).map { DisabledComponent(name: $0, source: "--disable flag") }
            }
            // Slice flags add to the config's values; scalar flags override them.
            values[key] = sliceFlags.contains(key) ? (values[key] ?? []) + value : [value.last ?? ""]
            sources[key] = "flag"
        }
        disabled += implicitDisables(values: values, version: version)
        var seen = Set<String>()
        return RKE2Config(files: files, values: values, sources: sources, disabled: disabled.filter { seen.insert($0.name).inserted })
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
            node = try Yams.compose(yaml: text)
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

    /// What RKE2 disables without being told (rke2 `pkg/rke2/rke2.go`, RKE2-FACTS §3.2).
    static func implicitDisables(values: [String: [String]], version: RKE2Version?) -> [DisabledComponent] {
        var result: [DisabledComponent] = []
        let cniList = cni(values).map { $0.lowercased() }
        let cniSource = "cni: \(cniList.joined(separator: ","))"
        for plugin in ["calico", "canal", "cilium", "flannel"] where !cniList.contains(plugin) {
            result.append(.init(name: "rke2-\(plugin)", source: cniSource, implicit: true))
            result.append(.init(name: "rke2-\(plugin)-crd", source: cniSource, implicit: true))
        }
        if cniList.first != "multus" {
            result.append(.init(name: "rke2-multus", source: cniSource, implicit: true))
        }
        if let version, version.major == 1, (31..<36).contains(version.minor) {
            // v1.31–v1.35 add the unselected ingress chart to the disable list; v1.36 truncates it instead.
            let selected = (values["ingress-controller"] ?? ["ingress-nginx"]).flatMap(splitCommas)
            if !selected.contains("traefik") {
                result.append(.init(name: "rke2-traefik", source: "ingress-controller", implicit: true))
                result.append(.init(name: "rke2-traefik-crd", source: "ingress-controller", implicit: true))
            }
            if !selected.contains("ingress-nginx") {
                result.append(.init(name: "rke2-ingress-nginx", source: "ingress-controller", implicit: true))
            }
        }
        for item in ["coredns", "servicelb", "traefik", "local-storage", "metrics-server", "runtimes"]
        where values["enable-\(item)"]?.last != "true" {
            result.append(.init(name: item, source: "k3s packaged component (RKE2 replaces it)", implicit: true))
        }
        return result
    }
}
