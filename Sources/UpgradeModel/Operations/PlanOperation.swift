import Foundation

/// `upgrade-tui plan (--version V | --channel C)`: builds the server and agent Plans, runs the
/// preflight, and creates or updates them. Writes only `upgrade.cattle.io/v1` Plans in the namespace.
public struct PlanOperation: Sendable {
    public struct Prepared: Sendable, Equatable {
        public let target: UpgradeTarget
        public let resolved: RKE2Version?
        public let plans: [KPlan]
        /// The Plans of the same names as they exist now, as the API returns them.
        public let existing: [JSONValue]
        public let checks: [PreflightCheck]
        public let cluster: ClusterStatus
        /// This node and its manifests as read by `prepare` (the runbook's skip markers); nil when built by hand.
        public var local: LocalNode? = nil
        public var manifests: [ManifestStatus] = []

        /// The objects as they will be written: a new Plan as built, an existing one merged (the
        /// fields upgrade-tui does not manage kept) on the resourceVersion that was read.
        public var written: [JSONValue] {
            plans.map { plan in
                guard let current = existing.first(where: { $0["metadata"]?["name"]?.stringValue == plan.metadata.name }) else {
                    return PlanBuilder.planJSON(plan)
                }
                return PlanBuilder.merged(existing: current, desired: plan, resourceVersion: current["metadata"]?["resourceVersion"]?.stringValue)
            }
        }

        /// What will be written, as YAML (without the server's bookkeeping fields).
        public var yaml: String {
            written.map { object in
                guard case let .object(fields) = object else { return YAMLText.render(object) }
                return YAMLText.render(.object(fields.map { key, value in
                    guard key == "metadata", case let .object(metadata) = value else { return (key, value) }
                    return (key, .object(metadata.filter { !["uid", "creationTimestamp", "generation", "managedFields"].contains($0.0) }))
                }))
            }.joined(separator: "---\n")
        }
        public var diff: [String] { PlanDiff.diff(existing: existing, desired: plans) }
        public var failures: [PreflightCheck] { checks.filter { $0.status == .fail } }

        /// The API server the review was prepared against: applying through another one refuses.
        public let server: String?

        public init(target: UpgradeTarget, resolved: RKE2Version?, plans: [KPlan], existing: [JSONValue], checks: [PreflightCheck], cluster: ClusterStatus,
                    server: String? = nil) {
            self.server = server
            self.target = target
            self.resolved = resolved
            self.plans = plans
            self.existing = existing
            self.checks = checks
            self.cluster = cluster
        }

        /// What the target resolves to, for confirmation prompts.
        public var targetText: String { resolved?.description ?? target.description }
    }

    public let client: any KubeAPI
    public let namespace: String
    /// This node: its role decides the snapshot check; its paths hold the audit log and the lock.
    public let local: any LocalSource
    /// Resolves a channel URL (following its 302 as SUC does); injectable for tests and the demo.
    public let resolve: @Sendable (String) async throws -> RKE2Version

    public init(client: any KubeAPI, namespace: String, local: any LocalSource,
                resolve: @escaping @Sendable (String) async throws -> RKE2Version = { try await ChannelResolver.resolve($0) }) {
        self.client = client
        self.namespace = namespace
        self.local = local
        self.resolve = resolve
    }

    public init(client: any KubeAPI, namespace: String, inspector: LocalInspector,
                resolve: @escaping @Sendable (String) async throws -> RKE2Version = { try await ChannelResolver.resolve($0) }) {
        self.init(client: client, namespace: namespace, local: inspector.resolved(), resolve: resolve)
    }

    /// Reads the cluster and this node, resolves the target, builds the plans and judges them. Reads only.
    public func prepare(target: UpgradeTarget) async throws -> Prepared {
        let cache = await ClusterReader.readOnce(client: client, sources: ClusterSources(namespace: namespace))
        let (node, files) = try local.read()
        let snapshot = SnapshotBuilder.build(local: node, files: files, cache: cache, namespace: namespace,
                                             server: client.server, connectionError: nil)
        var resolved: RKE2Version?
        var resolveError: ChannelError?
        switch target {
        case let .version(version): resolved = version
        case let .channel(url):
            do { resolved = try await resolve(url) } catch {
                resolveError = error as? ChannelError ?? ChannelError((error as? UpgradeError)?.message ?? "\(error)", unreachable: true)
            }
        }
        let plans = PlanBuilder(namespace: namespace).plans(target: target, cluster: snapshot.cluster)
        var existing: [JSONValue] = []
        for plan in plans {
            if let raw = try await fetch(plan.metadata.name) { existing.append(raw) }
        }
        let snapshotTimes: [Date]? = node.role == .agent ? nil : Self.snapshotTimes(local.paths.snapshotsDir)
        let deprecated = snapshot.cluster.api == .ok ? await DeprecatedAPIs.read(client: client) : nil
        let checks = Preflight.checks(PreflightInput(cluster: snapshot.cluster, existingPlans: existing, desiredPlans: plans, target: target,
                                                     resolved: resolved, resolveError: resolveError, manifests: snapshot.manifests,
                                                     snapshotTimes: snapshotTimes, deprecatedAPIs: deprecated))
        var prepared = Prepared(target: target, resolved: resolved, plans: plans, existing: existing, checks: checks, cluster: snapshot.cluster,
                                server: client.server)
        prepared.local = node
        prepared.manifests = snapshot.manifests
        return prepared
    }

    static func snapshotTimes(_ dir: String) -> [Date] {
        ((try? POSIX.listDirectory(dir)) ?? []).compactMap { name in
            guard !name.hasPrefix("."), let st = POSIX.fileInfo(dir + "/" + name), POSIX.isRegular(st) else { return nil }
            return Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec))
        }
    }

    /// Creates or updates both Plans under the node lock, with one audit record: exactly the objects
    /// reviewed. Under the lock the preflight runs again (a failed check refuses unless `force` gives a
    /// reason), and a Plan changed since the review refuses ("changed since review"): an update is a PUT
    /// on the reviewed resourceVersion, a creation a POST that fails if the Plan appeared meanwhile.
    public func apply(_ prepared: Prepared, force: String?, user: AuditUser = .current) async throws -> OperationOutcome {
        try await Audited.run(paths: local.paths, command: "plan", arguments: [prepared.target.description],
                              lockLabel: "plan \(prepared.targetText)", user: user) { record in
            record.details["target"] = prepared.targetText
            record.details["namespace"] = namespace
            if let reviewed = prepared.server, reviewed != client.server {
                throw UpgradeError.refused("the plans were reviewed for \(reviewed), not \(client.server) (the cluster was switched); nothing was written: review again")
            }
            let fresh = try await prepare(target: prepared.target)
            if fresh.resolved != prepared.resolved {
                throw UpgradeError.refused("the channel now resolves to \(fresh.resolved?.description ?? "nothing") (reviewed: \(prepared.targetText)); nothing was written: review again")
            }
            // What each Plan is written over: the object as read now, when it is the one reviewed. SUC
            // writes a Plan's status as it works (every node it starts or finishes), which changes the
            // resourceVersion but nothing the operator reviewed; a change to the spec or labels refuses.
            var bases: [String: JSONValue] = [:]
            for plan in prepared.plans {
                let name = plan.metadata.name
                let reviewed = Self.object(name, in: prepared.existing)
                let current = Self.object(name, in: fresh.existing)
                switch (reviewed, current) {
                case (nil, nil): break
                case let (reviewed?, current?) where PlanBuilder.comparable(reviewed) == PlanBuilder.comparable(current):
                    bases[name] = current
                default:
                    throw UpgradeError.refused("Plan \(namespace)/\(name) changed since review; nothing was written: review again")
                }
            }
            try Forcing.check(fresh.failures, force: force, what: "plan (preflight)", record: &record)
            var results: [String] = []
            for plan in prepared.plans {
                results.append(try await write(plan, reviewed: bases[plan.metadata.name]))
            }
            record.result = results.allSatisfy { $0.hasSuffix("unchanged") } ? .noOp : .ok
            record.details["plans"] = results.joined(separator: "; ")
            return OperationOutcome(changed: record.result == .ok, summary: results.joined(separator: ", "), details: [])
        }
    }

    static func object(_ name: String, in objects: [JSONValue]) -> JSONValue? {
        objects.first { $0["metadata"]?["name"]?.stringValue == name }
    }

    /// The Plan as the API has it (every field, not only the modelled ones); nil when it does not exist.
    private func fetch(_ name: String) async throws -> JSONValue? {
        do {
            let data = try await client.send(.GET, KubeResource.plans(namespace).objectPath(name))
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let error as KubeError where error.isNotFound {
            return nil
        } catch let error as KubeError {
            throw UpgradeError.failed("reading Plan \(namespace)/\(name): \(error.description)")
        }
    }

    private func write(_ plan: KPlan, reviewed: JSONValue?) async throws -> String {
        let resource = KubeResource.plans(namespace)
        let name = plan.metadata.name
        do {
            guard let reviewed else {
                _ = try await client.send(.POST, resource.collectionPath, body: Data(PlanBuilder.planJSON(plan).serialized().utf8))
                return "\(name) created"
            }
            // PUT the reviewed object with our fields replaced, on its resourceVersion: fields upgrade-tui
            // does not manage are kept, and a change since the review is a 409, not a lost update.
            let merged = PlanBuilder.merged(existing: reviewed, desired: plan, resourceVersion: reviewed["metadata"]?["resourceVersion"]?.stringValue)
            if PlanBuilder.comparable(merged) == PlanBuilder.comparable(reviewed) { return "\(name) unchanged" }
            _ = try await client.send(.PUT, resource.objectPath(name), body: Data(merged.serialized().utf8))
            return "\(name) updated"
        } catch let error as KubeError where error.code == 409 {
            throw UpgradeError.failed("Plan \(namespace)/\(name) changed since review (someone else wrote it); nothing was overwritten: review again")
        } catch let error as KubeError {
            throw UpgradeError.failed("writing Plan \(namespace)/\(name): \(error.description)")
        }
    }
}
