import CKernels
import Foundation

/// How many CPUs this process may use: the fewest of the online cores, its
/// affinity mask (`taskset`, a container's cpuset) and its cgroup's CPU
/// quota (`docker run --cpus 1.5` gives 2), read once for the root
/// context's default thread count.
public struct CPUBudget: Equatable, Sendable {
    /// Online cores (`sysconf(_SC_NPROCESSORS_ONLN)`).
    public var online: Int
    /// CPUs in the affinity mask (nil: unknown).
    public var affinity: Int?
    /// The cgroup quota in CPUs, rounded up (nil: no quota).
    public var quota: Int?

    /// The default thread count: the smallest of the three, at least 1.
    public var threads: Int { Swift.max(1, [online, affinity ?? online, quota ?? online].min()!) }

    /// This process's budget.
    public static let current: CPUBudget = {
        let affinity = Int(swiftgan_affinity_cpu_count())
        return CPUBudget(
            online: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), affinity: affinity > 0 ? affinity : nil,
            quota: cgroupQuota(read: { try? String(contentsOfFile: $0, encoding: .utf8) }))
    }()

    /// The tightest CPU quota on this process's cgroup and its parents, in
    /// whole CPUs rounded up; `read` returns a file's text (nil when absent).
    /// cgroup v2 (`cpu.max`: `QUOTA PERIOD` or `max PERIOD`) and v1
    /// (`cpu.cfs_quota_us`, -1 for none, over `cpu.cfs_period_us`).
    public static func cgroupQuota(read: (String) -> String?) -> Int? {
        let membership = read("/proc/self/cgroup") ?? ""
        var quotas: [Double] = []
        for line in membership.split(separator: "\n") {
            // hierarchy-ID:controllers:path
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",")
            for directory in ancestors(String(fields[2])) {
                if fields[0] == "0" && controllers.isEmpty {
                    if let text = read("/sys/fs/cgroup\(directory)/cpu.max"), let quota = cpuMax(text) { quotas.append(quota) }
                } else if controllers.contains("cpu") {
                    for mount in ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"] {
                        guard let quota = read("\(mount)\(directory)/cpu.cfs_quota_us"), let period = read("\(mount)\(directory)/cpu.cfs_period_us")
                        else { continue }
                        if let value = cfsQuota(quota, period) { quotas.append(value) }
                        break
                    }
                }
            }
        }
        return quotas.min().map { Swift.max(1, Int($0.rounded(.up))) }
    }

    /// A cgroup path and its parents up to the root (`/a/b`, `/a`, ``).
    static func ancestors(_ path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(parts.isEmpty ? "" : "/" + parts.joined(separator: "/"))
            if parts.isEmpty { return result }
            parts.removeLast()
        }
    }

    /// cgroup v2's `cpu.max` in CPUs (nil for `max`, no quota).
    static func cpuMax(_ text: String) -> Double? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0, period > 0 else { return nil }
        return quota / period
    }

    /// cgroup v1's CFS quota over its period in CPUs (nil for -1, no quota).
    static func cfsQuota(_ quota: String, _ period: String) -> Double? {
        guard let quota = Double(quota.trimmingCharacters(in: .whitespacesAndNewlines)),
            let period = Double(period.trimmingCharacters(in: .whitespacesAndNewlines)), quota > 0, period > 0
        else { return nil }
        return quota / period
    }
}
