import Foundation
import PackagePlugin

/// Stamps upgrade-tui's version into the build as `BuildInfo.version` (scripts/version: the VERSION file
/// or the git tag, +commit, +dirty), so that the version is defined once and nothing generated is in git.
/// The command reruns when a source file, VERSION or the git HEAD/index changes; scripts/version rewrites
/// its output only when the text differs, so an unchanged version recompiles nothing.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let script = root.appending(path: "scripts/version")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo.swift")
        let sources = context.package.targets
            .compactMap { $0 as? SourceModuleTarget }
            .flatMap { $0.sourceFiles.map(\.url) }
        return [.buildCommand(
            displayName: "Stamping the upgrade-tui version",
            executable: URL(filePath: "/bin/bash"),
            arguments: [script.path(percentEncoded: false), "--swift", output.path(percentEncoded: false)],
            inputFiles: [root.appending(path: "VERSION"), script, root.appending(path: "Package.swift")]
                + gitStateFiles(root) + sources,
            outputFiles: [output]
        )]
    }

    /// HEAD, the index and HEAD's reflog (it changes on every commit and checkout), in a clone or a
    /// worktree (whose `.git` is a file naming its git directory). None when not built from git.
    func gitStateFiles(_ root: URL) -> [URL] {
        let dotGit = root.appending(path: ".git")
        var gitDir = dotGit
        if let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") {
            let path = text.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDir = path.hasPrefix("/") ? URL(filePath: path) : root.appending(path: path)
        }
        return ["HEAD", "index", "logs/HEAD"]
            .map { gitDir.appending(path: $0) }
            .filter { FileManager.default.fileExists(atPath: $0.path(percentEncoded: false)) }
    }
}
