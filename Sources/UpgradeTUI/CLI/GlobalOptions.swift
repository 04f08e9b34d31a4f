import ArgumentParser
import Foundation
import UpgradeModel

/// Options every command takes, with RKE2's own names and environment variables (docs/rke2-rules.md#rke2-paths-and-defaults).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("RKE2 data directory (default $RKE2_DATA_DIR, then the running rke2's --data-dir, then /var/lib/rancher/rke2).", valueName: "DIR"))
    var dataDir: String?

    @Option(name: .long, help: ArgumentHelp("RKE2 config file; drop-ins are read from <config>.d/*.yaml (default $RKE2_CONFIG_FILE, then /etc/rancher/rke2/config.yaml).", valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("kubeconfig (default $KUBECONFIG, then /etc/rancher/rke2/rke2.yaml if readable, then ~/.kube/config).", valueName: "FILE"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("The kubeconfig context to use (default its current-context), as kubectl --context.", valueName: "NAME"))
    var context: String?

    @Option(name: .long, help: "Namespace of the Plans and their Jobs.")
    var namespace: String = "system-upgrade"

    @Option(name: .customLong("rke2-binary"), help: ArgumentHelp("The installed rke2 binary (overrides discovery).", valueName: "PATH"))
    var rke2Binary: String?

    @Option(name: .customLong("audit-log"), help: ArgumentHelp("Audit log of mutating operations.", valueName: "PATH"))
    var auditLog: String = HostPaths.defaultAuditLog

    @Flag(name: .customLong("no-color"), help: "No colour (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "ASCII borders and symbols (chosen automatically when the locale is not UTF-8).")
    var ascii = false

    /// The process environment, without empty values (`RKE2_DATA_DIR=` means unset, as in a shell).
    var environment: [String: String] { ProcessInfo.processInfo.environment.filter { !$0.value.isEmpty } }

    var paths: HostPaths {
        HostPaths(dataDir: dataDir ?? environment["RKE2_DATA_DIR"] ?? HostPaths.defaultDataDir,
                  configFile: config ?? environment["RKE2_CONFIG_FILE"] ?? HostPaths.defaultConfigFile,
                  auditLog: auditLog, rke2Binary: rke2Binary, processScope: .from(environment: environment))
    }

    /// This node's paths, resolved once (LocalInspector.resolved) for every operation of the command.
    var inspector: LocalInspector {
        LocalInspector(paths: paths,
                       dataDirExplicit: dataDir != nil || environment["RKE2_DATA_DIR"] != nil,
                       configExplicit: config != nil || environment["RKE2_CONFIG_FILE"] != nil).resolved()
    }

    var colorEnabled: Bool { !noColor && (environment["NO_COLOR"] ?? "").isEmpty }
}
