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
                      PlanCommand.self, SwapCommand.self, RestartCommand.self, RollbackCommand.self],
        defaultSubcommand: DashboardCommand.self
    )
}

/// Parses, runs, and maps every error to the exit codes of the contract (0 / 1 / 2).
enum CommandLineMain {
    static func run(_ arguments: [String]) async -> Int32 {
        do {
            var command = try RootCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as UpgradeError {
            FileHandle.standardError.write(Data("upgrade-tui: \(error.message)\n".utf8))
            return error.exitCode
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch {
            let code = RootCommand.exitCode(for: error)
            let message = RootCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}
