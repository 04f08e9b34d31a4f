import Foundation
import Yams

/// The chart version a manifest file names, read from the file itself so that it is known while the API
/// is away: its HelmChart's `helm.cattle.io/chart-url` annotation (RKE2's packaged charts,
/// `charts/build-chart.sh`), else `spec.version` (docs/rke2-rules.md#rke2-packaged-charts-and-chart-versions). Remembered by sha256: the
/// dashboard rescans every few seconds and packaged files carry the chart as megabytes of base64.
public enum ChartVersionOnDisk {
    private static let cache = Cache()

    final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var versions: [String: String?] = [:]
        func get(_ key: String) -> String?? { lock.withLock { versions[key] } }
        func set(_ key: String, _ value: String?) {
            lock.withLock {
                if versions.count > 1000 { versions.removeAll() }
                versions[key] = value
            }
        }
    }

    /// Files larger than this are not parsed (the packaged ones are well under it).
    static let maxSize = 32 << 20

    public static func version(of path: String, sha256: String) -> String? {
        if let known = cache.get(sha256) { return known }
        let version = (try? read(path)).flatMap { $0 }
        cache.set(sha256, version)
        return version
    }

    static func read(_ path: String) throws -> String? {
        guard let data = try POSIX.readFileIfPresent(path), data.count <= maxSize,
              let text = String(data: data, encoding: .utf8), text.contains("HelmChart") else { return nil }
        return version(inManifest: text)
    }

    /// The first HelmChart of a (multi-document) YAML or JSON manifest that names a version.
    public static func version(inManifest text: String) -> String? {
        guard let documents = try? YAMLText.composeAll(text) else { return nil }
        for document in documents {
            // Every scalar is read as text: `version: 1.10` stays "1.10", not the number 1.1.
            // Merge keys (`<<: *defaults`) are followed, as Yams' default constructor did.
            func field(_ node: Node?, _ key: String) -> Node? { YAMLText.value(node, key) }
            guard YAMLText.string(field(document, "kind")) == "HelmChart", let metadata = field(document, "metadata"),
                  let name = YAMLText.string(field(metadata, "name")) else { continue }
            let chartURL = YAMLText.string(field(field(metadata, "annotations"), "helm.cattle.io/chart-url"))
            let spec = field(document, "spec")
            let chart = KHelmChart(metadata: ObjectMeta(name: name, annotations: chartURL.map { ["helm.cattle.io/chart-url": $0] }),
                                   spec: spec.map { .init(chart: YAMLText.string(field($0, "chart")), version: YAMLText.string(field($0, "version"))) })
            guard let version = ManifestDerivation.chartVersion(chart) else { continue }
            return version
        }
        return nil
    }
}
