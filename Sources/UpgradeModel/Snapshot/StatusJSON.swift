import Foundation

/// `status --output json`, schemaVersion 1 (DESIGN.md). Field names are a contract: add, never rename.
public enum StatusJSON {
    public static let schemaVersion = 1

    public static func document(_ snapshot: DashboardSnapshot) -> JSONValue {
        .object([
            ("schemaVersion", .number(Double(schemaVersion))),
            ("generatedAt", .string(JSONValue.timestamp(snapshot.takenAt))),
            ("local", local(snapshot.local)),
            ("manifests", .array(snapshot.manifests.map(manifest))),
            ("cluster", cluster(snapshot.cluster)),
        ])
    }

    static func local(_ node: LocalNode) -> JSONValue {
        let binary: JSONValue = node.binary.map { binary in
            .object([
                ("path", .string(binary.path)),
                ("version", .string(binary.version?.description)),
                ("sha256", .string(binary.sha256)),
                ("commit", .string(binary.commit)),
                ("goVersion", .string(binary.goVersion)),
            ])
        } ?? .null
        let process: JSONValue = node.running.map { running in
            .object([
                ("pid", .number(Double(running.process.pid))),
                ("exe", .string(running.process.exe)),
                ("runningSha256", .string(running.runningSha256)),
                ("restartPending", .bool(running.restartPending)),
                ("runningVersion", .string(running.runningVersion?.description)),
                ("argv0", .string(running.process.argv0)),
                ("exeDeleted", .bool(running.process.exeDeleted)),
                ("children", .array(running.process.children.map {
                    .object([("pid", .number(Double($0.pid))), ("name", .string($0.name))])
                })),
            ])
        } ?? .null
        let explicit = node.config.explicitlyDisabled
        return .object([
            ("role", .string(node.role)),
            ("hostname", .string(node.hostname)),
            ("dataDir", .string(node.paths.dataDir)),
            ("configFiles", .array(node.config.files.map { .string($0) })),
            ("binary", binary),
            ("process", process),
            ("disabled", .array(explicit.map { .string($0.name) })),
            ("disabledBy", .object(explicit.map { ($0.name, .string($0.source)) })),
            ("problems", .array(node.problems.map { .string($0) })),
        ])
    }

    static func manifest(_ status: ManifestStatus) -> JSONValue {
        let file = status.file
        return .object([
            ("file", .string(file.file)),
            ("addon", .string(file.addon)),
            ("state", .string(status.state.rawValue)),
            ("sha256", .string(file.sha256)),
            ("addonChecksum", .string(status.addonChecksum)),
            ("skipMarker", .string(file.skipMarker)),
            ("chartVersion", .string(status.chartVersion)),
            ("present", .bool(file.present)),
            ("size", file.size.map { .number(Double($0)) } ?? .null),
            ("modified", .string(file.modified.map(JSONValue.timestamp))),
            ("disabledBy", .string(file.disabledBy?.source)),
            ("chartFailure", .string(status.chartFailure)),
        ])
    }

    static func cluster(_ cluster: ClusterStatus) -> JSONValue {
        .object([
            ("api", .string(cluster.api.rawValue)),
            ("error", .string(cluster.error)),
            ("upgradeController", .string(cluster.upgradeController.rawValue)),
            ("nodes", .array([])),
            ("plans", .array([])),
            ("agentGate", .null),
        ])
    }
}
