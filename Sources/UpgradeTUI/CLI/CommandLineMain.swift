import ArgumentParser
import Foundation
import UpgradeModel

/// Parses, runs, and maps every error to the exit codes of the contract (0 / 1 / 2).
enum CommandLineMain {
    static func run(_ arguments: [String]) async -> Int32 {
        if let unknown = unknownCommand(arguments) {
            Console.error("upgrade-tui: unknown command '\(unknown)'" + (suggestion(for: unknown).map { "; did you mean \($0)?" } ?? ""))
            Console.error(RootCommand.helpMessage())
            return 2
        }
        do {
            var command = try RootCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as UpgradeError {
            Console.error("upgrade-tui: \(error.message)")
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
            Console.error(message.hasSuffix("\n") ? String(message.dropLast()) : message)
            return code == .validationFailure ? 2 : code.rawValue
        }
    }

    static var commandNames: [String] {
        RootCommand.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    /// A first word that is not an option and not a command: without this, the default command
    /// (the dashboard) would take it and answer with its own usage.
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first) else { return nil }
        return first
    }

    /// The closest command name, if it is close (at most 2 edits, or a prefix).
    static func suggestion(for word: String) -> String? {
        let scored = commandNames.map { ($0, EditDistance.between(word.lowercased(), $0)) }.sorted { $0.1 < $1.1 }
        if let prefix = commandNames.first(where: { $0.hasPrefix(word.lowercased()) && word.count >= 2 }) { return prefix }
        guard let best = scored.first, best.1 <= 2 else { return nil }
        return best.0
    }
}
