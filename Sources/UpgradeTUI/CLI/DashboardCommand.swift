import ArgumentParser
import Foundation
import Logging
import UpgradeModel

struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "The interactive dashboard (the default command).",
        discussion: "--watch is read-only: no key changes anything, and only GET/WATCH requests are sent."
    )

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Read-only: for leaving on a screen. No mutating key exists.")
    var watch = false
    @Flag(help: "A simulated cluster and node, to try upgrade-tui anywhere.")
    var demo = false
    @Option(name: .customLong("log-file"), help: ArgumentHelp("Where the dashboard logs (default /var/log/upgrade-tui/dashboard.log for root, else $XDG_STATE_HOME/upgrade-tui/dashboard.log or ~/.local/state/upgrade-tui/dashboard.log).", valueName: "PATH"))
    var logFile: String?
    @Option(name: .long, help: "Seconds between checks of this node for a change (inotify on its files, the rke2 process); a change triggers a full rescan, and one runs at least every 30 s.")
    var refresh: Double = 2

    func validate() throws {
        try Seconds.check(refresh, option: "--refresh", within: 0.2...3600)
    }

    func run() async throws {
        let utf8 = TerminalAdapter.prepareLocale()
        let theme = Theme(unicode: utf8 && !global.ascii, color: global.colorEnabled)
        // An explicit --log-file that cannot be used safely is an error; the default is best effort.
        let opened: (FileLogHandler.Sink, Int32)?
        if let logFile {
            opened = try FileLogHandler.open(path: logFile)
        } else {
            opened = FileLogHandler.defaultPath(environment: global.environment).flatMap { try? FileLogHandler.open(path: $0) }
        }
        var logger = Logger(label: "upgrade-tui") { label in
            opened.map { FileLogHandler(label: label, sink: $0.0) } ?? FileLogHandler(label: label, sink: .init(fd: -1))
        }
        logger.logLevel = .info

        let store: DashboardStore
        let operations: (any DashboardOperations)?
        let readOnlyReason: String?
        var swapSuggestions: [String] = []
        var switcher: ClusterSwitcher?
        var demoRoot: String?
        var demoCluster: DemoCluster?
        defer {
            demoCluster?.stop()
            if let demoRoot { DemoNode.remove(root: demoRoot) }
        }
        if demo {
            let cluster = DemoCluster()
            demoCluster = cluster
            let node = try DemoNode.create(cluster: cluster)
            demoRoot = node.root
            logger.info("demo node at \(node.root)")
            // The demo's cluster is an API server in memory: the store watches it as it would a real one.
            cluster.start()
            store = DashboardStore(configuration: .init(local: node, namespace: global.namespace, localInterval: refresh), cluster: .kube(cluster.api))
            operations = watch ? nil : DemoOperations(node: node, namespace: global.namespace)
            readOnlyReason = nil
            swapSuggestions = [node.downloadPath]
        } else {
            let connection = try ClusterConnection.open(explicit: global.kubeconfig, environment: global.environment, context: global.context)
            store = DashboardStore(configuration: .init(local: global.inspector, namespace: global.namespace, localInterval: refresh),
                                   cluster: ClusterSource(connection))
            switcher = ClusterSwitcher(kubeconfig: Kubeconfig.resolve(explicit: global.kubeconfig, environment: global.environment), store: store)
            // Keys for what this user cannot do are not offered at all: the footer says why.
            let mayWrite = Privilege.mayWrite(dataDir: global.inspector.paths.dataDir)
            readOnlyReason = watch || mayWrite ? nil : "not root"
            operations = watch || !mayWrite ? nil : HostOperations(inspector: global.inspector, namespace: global.namespace) { [store] in await store.api }
        }
        var state = ViewState(readOnly: watch, readOnlyReason: readOnlyReason, demo: demo)
        state.swapSuggestions = swapSuggestions
        let app = try DashboardLoop(store: store, operations: operations, switcher: switcher, journal: demo ? nil : JournalReader(), state: state, theme: theme, logger: logger, logFD: opened?.1)
        let signal: Int32
        do {
            signal = try await app.run()
        } catch let error as TerminalError {
            throw UpgradeError.input(error.description)
        }
        if signal != 0 { throw ExitCode(128 + signal) }
    }
}
