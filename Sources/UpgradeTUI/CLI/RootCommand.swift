import ArgumentParser
import Foundation
import UpgradeModel

struct RootCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade-tui",
        abstract: "See and drive an RKE2 cluster upgrade from a control-plane node.",
        discussion: """
        Without a subcommand: the dashboard. --watch makes it read-only; --demo shows a simulated cluster.
        For scripts: upgrade-tui status --output json.

        Exit codes: 0 done; 1 the operation failed or was refused; 2 bad usage or unreadable input.
        """,
        version: BuildInfo.version,
        subcommands: [DashboardCommand.self, StatusCommand.self, SkipCommand.self, UnskipCommand.self,
                      PlanCommand.self, SwapCommand.self, RestartCommand.self, RollbackCommand.self,
                      SnapshotCommand.self, RunbookCommand.self, BenchRenderCommand.self],
        defaultSubcommand: DashboardCommand.self
    )
}
