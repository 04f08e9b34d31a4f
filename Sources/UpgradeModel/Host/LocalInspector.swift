import Foundation

/// Reads this node: process, binary, config. Config errors are thrown (they are bad input, exit 2);
/// everything else degrades to nil plus a problem line.
public struct LocalInspector: Sendable {
    public var paths: HostPaths
    /// Whether the data dir was chosen by the operator; if not, the running process' `--data-dir` wins.
    public var dataDirExplicit: Bool
    public var configExplicit: Bool
    public var versionTimeout: TimeInterval = 5

    public init(paths: HostPaths, dataDirExplicit: Bool = true, configExplicit: Bool = true) {
        self.paths = paths
        self.dataDirExplicit = dataDirExplicit
        self.configExplicit = configExplicit
    }

    /// The one resolution of this node's paths that every operation uses (markers, lock, backups,
    /// snapshots, manifests): the data dir from `--data-dir`, then `RKE2_DATA_DIR` (both explicit), then
    /// the running rke2's `--data-dir`, then `data-dir:` in the config and its drop-ins, then the default;
    /// the config file from `--config`, `RKE2_CONFIG_FILE`, then the running rke2's `--config`.
    /// A config that cannot be read resolves nothing here; `inspect()` reports it.
    public func resolved() -> LocalInspector {
        guard !dataDirExplicit || !configExplicit else { return self }
        var copy = self
        let process = try? ProcessScanner(procRoot: paths.procRoot, dataDir: dataDirExplicit ? paths.dataDir : nil, scope: paths.processScope).scan().process
        let flags = RKE2Config.flagValues(process?.flags ?? [])
        if !configExplicit, let file = flags.first(where: { $0.0 == "config" })?.1.last { copy.paths.configFile = file }
        if !dataDirExplicit {
            if let dir = flags.first(where: { $0.0 == "data-dir" })?.1.last {
                copy.paths.dataDir = dir
            } else if let dir = (try? RKE2Config.load(configFile: copy.paths.configFile))?.string("data-dir"), !dir.isEmpty {
                copy.paths.dataDir = dir
            }
        }
        copy.dataDirExplicit = true
        copy.configExplicit = true
        return copy
    }

    public func inspect() throws -> LocalNode {
        let resolved = self.resolved()
        var problems: [String] = []
        let paths = resolved.paths
        if POSIX.fileInfo(paths.dataDir) == nil {
            problems.append("data dir \(paths.dataDir) does not exist: is this an RKE2 node, and is the data dir right (--data-dir)?")
        }
        var process: RKE2Process?
        do {
            let scan = try ProcessScanner(procRoot: paths.procRoot, dataDir: paths.dataDir, scope: paths.processScope).scan()
            process = scan.process
            problems += scan.ignored
        } catch let error as UpgradeError {
            problems.append(error.message)
        }

        let binaryPath = paths.rke2Binary ?? process?.binaryPath ?? HostPaths.binarySearchPath.first { path in
            POSIX.fileInfo(path).map(POSIX.isRegular) ?? false
        }
        let binary = binaryPath.map(inspectBinary)
        if let binary, let problem = binary.problem { problems.append(problem) }

        var running: RunningRKE2?
        if let process {
            let runningSha = try? FileFacts.shared.sha256(process.procExe)
            let pending = runningSha != nil && binary?.sha256 != nil && runningSha != binary?.sha256
            var runningVersion: RKE2Version?
            if pending, let runningSha {
                runningVersion = runningVersionOf(process, sha256: runningSha, backupsDir: paths.backupsDir)
            }
            running = RunningRKE2(process: process, runningSha256: runningSha, restartPending: pending,
                                  runningVersion: runningVersion ?? (pending ? nil : binary?.version))
        }
        let config = try RKE2Config.load(configFile: paths.configFile, processArgs: process?.flags ?? [],
                                         version: running?.runningVersion ?? binary?.version,
                                         environment: process?.environment ?? [:], startedAt: process?.startTime, role: process?.role)
        return LocalNode(role: process?.role ?? .unknown, hostname: POSIX.hostName(), paths: paths,
                         binary: binary, running: running, config: config, problems: problems)
    }

    /// The version of the bytes a process runs when they are no longer the installed file: known from
    /// when they were installed (this process saw them, or a swap backed them up under their version),
    /// else asked from the running executable itself, by its pinned descriptor.
    func runningVersionOf(_ process: RKE2Process, sha256: String, backupsDir: String) -> RKE2Version? {
        if let known = FileFacts.shared.version(sha256: sha256) { return known.version }
        for backup in BinaryInstaller.backups(in: backupsDir) where backup.version != nil {
            if (try? FileFacts.shared.sha256(backup.path)) == sha256 { return backup.version }
        }
        guard let result = try? TrustedExec.run(executableOf: process.identity, ["--version"], timeout: versionTimeout, procRoot: paths.procRoot),
              let output = RKE2Version.parseVersionOutput(result.output) else { return nil }
        FileFacts.shared.remember(output, of: process.procExe, sha256: sha256)
        return output.version
    }

    func inspectBinary(_ path: String) -> InstalledBinary {
        let path = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard let st = POSIX.fileInfo(path) else {
            return InstalledBinary(path: path, version: nil, commit: nil, goVersion: nil, sha256: nil,
                                   problem: "rke2 binary \(path) does not exist")
        }
        guard POSIX.isRegular(st) else {
            return InstalledBinary(path: path, version: nil, commit: nil, goVersion: nil, sha256: nil,
                                   problem: "rke2 binary \(path) is not a regular file")
        }
        let sha = try? FileFacts.shared.sha256(path)
        if let distrust = TrustedPath.problem(executable: path) {
            return InstalledBinary(path: path, version: nil, commit: nil, goVersion: nil, sha256: sha,
                                   problem: "\(path) was not run (--version): \(distrust)")
        }
        if let cached = FileFacts.shared.version(of: path) {
            return InstalledBinary(path: path, version: cached.version, commit: cached.commit,
                                   goVersion: cached.goVersion, sha256: sha, problem: nil)
        }
        do {
            let result = try TrustedExec.run(path, ["--version"], timeout: versionTimeout)
            if result.timedOut {
                return InstalledBinary(path: path, version: nil, commit: nil, goVersion: nil, sha256: sha,
                                       problem: "\(path) --version did not answer within \(Int(versionTimeout)) s")
            }
            guard let parsed = RKE2Version.parseVersionOutput(result.output) else {
                let firstLine = result.output.split(separator: "\n").first.map(String.init) ?? ""
                return InstalledBinary(path: path, version: nil, commit: nil, goVersion: nil, sha256: sha,
                                       problem: "\(path) --version printed no rke2 version (exit \(result.status)): \(firstLine.prefix(120))")
            }
            FileFacts.shared.remember(parsed, of: path, sha256: sha)
            return InstalledBinary(path: path, version: parsed.version, commit: parsed.commit,
                                   goVersion: parsed.goVersion, sha256: sha, problem: nil)
        } catch {
            return InstalledBinary(path: path, version: nil, commit: nil, goVersion: nil, sha256: sha,
                                   problem: "\(error)")
        }
    }
}
