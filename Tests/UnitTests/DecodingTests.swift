import Testing
import Foundation
import Yams
@testable import UpgradeModel

/// Decoding keeps what is read, once: repeated strings are shared, a node keeps only the annotations read,
/// and YAML is read without Yams' default (ICU regular expression) resolver.
@Suite struct DecodingTests {
    static func nodeJSON(_ name: String, extra: String = "") -> String {
        """
        {"metadata": {"name": "\(name)", "uid": "uid-\(name)", "resourceVersion": "7",
          "labels": {"node.kubernetes.io/instance-type": "a-long-instance-type-name", "kubernetes.io/hostname": "\(name)"},
          "annotations": {"rke2.io/node-args": "[\\"server\\"]", "csi.volume.kubernetes.io/nodeid": "{\\"driver\\":\\"\(name)\\"}",
                          "cluster.x-k8s.io/machine": "m-\(name)", "etcd.rke2.cattle.io/node-name": "\(name)-etcd"\(extra)}},
         "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status"}],
                    "nodeInfo": {"kubeletVersion": "v1.32.2+rke2r1", "osImage": "Ubuntu 24.04.1 LTS"}}}
        """
    }

    static func decodeList(_ names: [String], interner: Interner) throws -> [KNode] {
        let json = "{\"metadata\": {\"resourceVersion\": \"9\"}, \"items\": [" + names.map { nodeJSON($0) }.joined(separator: ",") + "]}"
        return try JSONDecoder.kube(interner).decode(KList<KNode>.self, from: Data(json.utf8)).items ?? []
    }

    /// The address of a native string's bytes: equal for two strings sharing one storage.
    static func storage(_ string: String?) -> UnsafeRawPointer? {
        var copy = string
        return copy?.withUTF8 { UnsafeRawPointer($0.baseAddress) }
    }

    @Test func repeatedStringsShareOneStorage() throws {
        let interner = Interner()
        let nodes = try Self.decodeList(["node-a", "node-b", "node-c"], interner: interner)
        #expect(nodes.count == 3)
        let (a, c) = (nodes[0], nodes[2])
        #expect(a.metadata.label("node.kubernetes.io/instance-type") == "a-long-instance-type-name")
        #expect(Self.storage(a.metadata.label("node.kubernetes.io/instance-type")) == Self.storage(c.metadata.label("node.kubernetes.io/instance-type")))
        #expect(Self.storage(a.status?.conditions?.first?.message) == Self.storage(c.status?.conditions?.first?.message))
        // Without an interner every node has its own copy.
        let plain = try JSONDecoder().decode(KList<KNode>.self, from: Data(("{\"items\": [" + Self.nodeJSON("x") + "," + Self.nodeJSON("y") + "]}").utf8)).items!
        #expect(Self.storage(plain[0].status?.conditions?.first?.message) != Self.storage(plain[1].status?.conditions?.first?.message))
        #expect(interner.count > 0 && interner.count < Interner.capacity)
    }

    @Test func theInternerIsBounded() {
        let interner = Interner()
        for i in 0..<(Interner.capacity + 100) { _ = interner.intern("a-unique-string-number-\(i)") }
        #expect(interner.count == Interner.capacity)
        #expect(interner.heldBytes <= Interner.byteBudget)
        #expect(interner.intern("a-unique-string-number-0") == "a-unique-string-number-0")
        // Short strings are inline in Swift; long ones and non-ASCII ones are not held.
        let other = Interner()
        _ = other.intern("short")
        _ = other.intern(String(repeating: "x", count: Interner.longest + 1))
        _ = other.intern("caf\u{E9}-with-a-long-enough-name")
        #expect(other.count == 0)
        // ASCII only: a decomposed é (NFD) must not come back as another object's precomposed bytes.
        let precomposed = "caf\u{E9}-with-a-long-enough-name", decomposed = "cafe\u{301}-with-a-long-enough-name"
        #expect(Array(other.intern(precomposed).utf8) == Array(precomposed.utf8))
        #expect(Array(other.intern(decomposed).utf8) == Array(decomposed.utf8))
        // The byte budget stops growth before the entry cap when strings are long.
        let budget = Interner()
        for i in 0..<((Interner.byteBudget / 200) + 50) { _ = budget.intern(String(repeating: "y", count: 190) + "-\(i)") }
        #expect(budget.heldBytes <= Interner.byteBudget && budget.count < Interner.capacity)
    }

    @Test func annotationValuesAreNotHeldByTheInterner() throws {
        let interner = Interner()
        _ = try Self.decodeList(["node-a"], interner: interner)
        let before = interner.count
        let big = String(repeating: "z", count: 100)
        let json = "{\"items\": [" + Self.nodeJSON("node-b", extra: ", \"rke2.io/node-config-hash\": \"\(big)\"") + "]}"
        let node = try JSONDecoder.kube(interner).decode(KList<KNode>.self, from: Data(json.utf8)).items![0]
        #expect(node.metadata.annotations?["rke2.io/node-config-hash"] == big)
        #expect(interner.count == before + 1)   // the new key only, not its value
    }

    @Test func aNodeKeepsOnlyTheAnnotationsRead() throws {
        let node = try Self.decodeList(["node-a"], interner: Interner())[0]
        #expect(node.metadata.annotations == ["rke2.io/node-args": "[\"server\"]", "cluster.x-k8s.io/machine": "m-node-a",
                                              "etcd.rke2.cattle.io/node-name": "node-a-etcd"])
        // What the derivations read from a decoded node is still there.
        #expect(OwnershipDerivation.machine(node) == "node/node-a (machine m-node-a)")
        #expect(ClusterDerivation.nodeBase(node).annotations == ["rke2.io/node-args": "[\"server\"]", "etcd.rke2.cattle.io/node-name": "node-a-etcd"])
        for key in OwnershipDerivation.clusterAPIAnnotations { #expect(KNode.keepsAnnotation(key)) }
        #expect(!KNode.keepsAnnotation("csi.volume.kubernetes.io/nodeid"))
    }

    @Test(arguments: [
        ("k: true", true), ("k: True", true), ("k: yes", true), ("k: On", true), ("k: FALSE", false), ("k: no", false),
        ("k: off", false), ("k: !!bool true", true),
        ("k: \"true\"", nil), ("k: 'false'", nil), ("k: 1", nil), ("k: [true]", nil), ("k:", nil),
        ("k: tRuE", nil), ("k: !!str true", nil), ("k: ! true", nil),
    ] as [(String, Bool?)])
    func yamlBooleans(_ text: String, _ expected: Bool?) throws {
        let node = try #require(try YAMLText.compose(text))
        #expect(YAMLText.bool(node["k"]) == expected)
    }

    @Test func yamlScalarsStayText() throws {
        let node = try #require(try YAMLText.compose("a: 1.10\nb: ~\nc: null\nd: \"null\"\ne: 010"))
        #expect(YAMLText.string(node["a"]) == "1.10")
        #expect(YAMLText.string(node["b"]) == nil && YAMLText.string(node["c"]) == nil)
        #expect(YAMLText.string(node["d"]) == "null")
        #expect(YAMLText.string(node["e"]) == "010")
    }

    @Test(arguments: [
        ("apiVersion: helm.cattle.io/v1\nkind: HelmChart\nmetadata:\n  name: rke2-x\nspec:\n  version: 1.10\n", "1.10"),
        ("kind: ConfigMap\nmetadata: {name: a}\n---\nkind: HelmChart\nmetadata:\n  name: rke2-canal\n  annotations:\n    helm.cattle.io/chart-url: https://x/charts/rke2-canal-v3.29.2-build2025.tgz\nspec:\n  chart: https://x/charts/rke2-canal-v3.29.2-build2025.tgz\n", "v3.29.2-build2025"),
        ("{\"kind\": \"HelmChart\", \"metadata\": {\"name\": \"c\"}, \"spec\": {\"version\": \"2.0.0\"}}", "2.0.0"),
        ("kind: HelmChart\nmetadata: {name: c}\nspec: {version: ~}\n", nil),
        ("kind: HelmChart\nmetadata: [not, a, mapping]\n", nil),
        ("base: &base {version: 4.5.6}\nkind: HelmChart\nmetadata: {name: c}\nspec: {<<: *base, chart: c}\n", "4.5.6"),
        ("a: &a {version: '1'}\nb: &b {version: '2'}\nkind: HelmChart\nmetadata: {name: c}\nspec: {<<: [*a, *b]}\n", "1"),
        ("a: &a {version: '1'}\nkind: HelmChart\nmetadata: {name: c}\nspec: {<<: *a, version: '3'}\n", "3"),
    ] as [(String, String?)])
    func chartVersionsOnDisk(_ manifest: String, _ version: String?) {
        #expect(ChartVersionOnDisk.version(inManifest: manifest) == version)
    }

    // MARK: pages decoded object by object

    static func layout(_ text: String) -> ListPageLayout.Layout? {
        Array(text.utf8).withUnsafeBytes { ListPageLayout.scan($0) }
    }

    static func parts(_ text: String) -> (metadata: String?, items: [String])? {
        guard let layout = layout(text) else { return nil }
        let bytes = Array(text.utf8)
        func part(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        return (layout.metadata.map(part), layout.items.map(part))
    }

    @Test func aPageIsSplitIntoItsObjects() throws {
        let page = #" { "kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "5", "continue": "a\"}]"},"# +
            #" "items": [ {"metadata": {"name": "a}]["}}, {"x": [1, {"y": "\\"}], "z": -1.5e3} ,{} ], "extra": [true, false, null] } "#
        let split = try #require(Self.parts(page))
        #expect(split.metadata == #"{"resourceVersion": "5", "continue": "a\"}]"}"#)
        #expect(split.items == [#"{"metadata": {"name": "a}]["}}"#, #"{"x": [1, {"y": "\\"}], "z": -1.5e3}"#, "{}"])
        #expect(Self.parts(#"{"items": null}"#)?.items == [])
        #expect(Self.parts(#"{"items": []}"#)?.items == [])
        #expect(Self.parts("{}")?.items == [])
    }

    /// What the scan does not expect is decoded whole, so that a bad page fails as it always did.
    @Test(arguments: [
        #"{"it\u0065ms": [{}]}"#,          // an escaped key could spell items
        #"{"items": [{}], "items": [{}]}"#,  // a repeated key
        #"{"metadata": {}, "metadata": {}}"#,
        #"{"items": [{]}"#,                  // brackets that do not match
        #"{"items": [{}] "#,                 // cut short
        #"{"items": [{}]} trailing"#,        // bytes after the end
        #"{"items": [{"a": "unterminated}]}"#,
        #"["items"]"#, "", #"{"kind": nope}"#,
        "{\"items\": [" + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "]}",  // deeper than 64
    ])
    func anUnexpectedPageIsNotSplit(_ page: String) {
        #expect(Self.layout(page) == nil)
        // Decoded whole instead: the same outcome as the whole-page decoder, item for item or the error.
        let data = Data(page.utf8)
        let split = try? KList<KNode>.decode(data, JSONDecoder())
        let whole = try? JSONDecoder().decode(KList<KNode>.self, from: data)
        #expect(split?.items == whole?.items && (split == nil) == (whole == nil))
    }

    /// Object by object decodes what the whole page decodes, on pages the pager reads.
    @Test func splitDecodingEqualsWholeDecoding() throws {
        let names = (0..<40).map { "node-\($0)-with-a-long-name" }
        let json = #"{"kind": "NodeList", "metadata": {"resourceVersion": "12", "continue": "tok", "remainingItemCount": 7}, "items": ["# +
            names.map { Self.nodeJSON($0) }.joined(separator: ",") + "]}"
        let data = Data(json.utf8)
        #expect(Self.layout(json)?.items.count == 40)
        let split = try KList<KNode>.decode(data, JSONDecoder.kube(Interner()))
        let whole = try JSONDecoder.kube(Interner()).decode(KList<KNode>.self, from: data)
        #expect(split.items == whole.items)
        #expect(split.metadata?.resourceVersion == "12" && split.metadata?.continue == "tok" && split.metadata?.remainingItemCount == 7)
        // A slice of a larger buffer (a Data whose indices do not start at 0) decodes the same.
        let padded = Data("xxxx".utf8) + data
        #expect(try KList<KNode>.decode(padded[4...], JSONDecoder()).items == whole.items)
        // A bad object names its index.
        let bad = Data(#"{"items": [{"metadata": {"name": "a"}}, {"metadata": {"name": 5}}]}"#.utf8)
        #expect(throws: KubeError.self) { try KList<KNode>.decode(bad, JSONDecoder()) }
        do { _ = try KList<KNode>.decode(bad, JSONDecoder()) } catch { #expect("\(error)".contains("items[1]")) }
    }

    // MARK: StringMap

    @Test func aStringMapIsASortedDictionary() throws {
        var map: StringMap = ["b": "2", "a": "1", "c": "3"]
        #expect(map.keys == ["a", "b", "c"])
        #expect(map["b"] == "2" && map["z"] == nil)
        map["b"] = nil
        map["aa"] = "x"
        map["c"] = "4"
        map["zz"] = nil
        #expect(Array(map.map { "\($0.key)=\($0.value)" }) == ["a=1", "aa=x", "c=4"])
        #expect(map == ["c": "4", "aa": "x", "a": "1"])
        #expect(StringMap(pairs: [("k", "first"), ("j", "0"), ("k", "last")]) == ["j": "0", "k": "last"])
        #expect(map.filter { key, _ in key.hasPrefix("a") } == ["a": "1", "aa": "x"])
        #expect(StringMap(["x": "1", "w": "2"]).keys == ["w", "x"])
        // JSON: an object, in any order.
        let decoded = try JSONDecoder().decode(StringMap.self, from: Data(#"{"z": "1", "m": "2", "a": "3"}"#.utf8))
        #expect(decoded.keys == ["a", "m", "z"])
        #expect(try JSONDecoder().decode(StringMap.self, from: try JSONEncoder().encode(decoded)) == decoded)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(StringMap.self, from: Data(#"{"a": 1}"#.utf8)) }
    }
}
