import Testing

@testable import SwiftGANTensor

/// The default thread count: cores, affinity mask and cgroup quota.
@Suite struct CPUBudgetTests {
    @Test func theTightestLimitWins() {
        #expect(CPUBudget(online: 8, affinity: nil, quota: nil).threads == 8)
        #expect(CPUBudget(online: 8, affinity: 2, quota: nil).threads == 2)
        #expect(CPUBudget(online: 8, affinity: 6, quota: 3).threads == 3)
        #expect(CPUBudget(online: 8, affinity: 1, quota: 3).threads == 1)
        #expect(CPUBudget(online: 0, affinity: nil, quota: nil).threads == 1)
    }

    @Test func cgroupQuotasAreReadFromV2AndV1() {
        // cgroup v2: the process's own cgroup and its parents; the tightest quota, rounded up.
        let v2: [String: String] = [
            "/proc/self/cgroup": "0::/system.slice/job\n",
            "/sys/fs/cgroup/system.slice/job/cpu.max": "150000 100000\n",
            "/sys/fs/cgroup/system.slice/cpu.max": "400000 100000\n",
            "/sys/fs/cgroup/cpu.max": "max 100000\n"
        ]
        #expect(CPUBudget.cgroupQuota(read: { v2[$0] }) == 2)
        // No quota anywhere.
        let unlimited: [String: String] = ["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "max 100000\n"]
        #expect(CPUBudget.cgroupQuota(read: { unlimited[$0] }) == nil)
        // cgroup v1: the cpu controller's CFS quota over its period (-1: none), under either mount name.
        let v1: [String: String] = [
            "/proc/self/cgroup": "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
            "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "50000\n",
            "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n"
        ]
        #expect(CPUBudget.cgroupQuota(read: { v1[$0] }) == 1)
        let v1None: [String: String] = [
            "/proc/self/cgroup": "1:cpu:/\n", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000"
        ]
        #expect(CPUBudget.cgroupQuota(read: { v1None[$0] }) == nil)
        // Garbage is no quota, not a crash.
        #expect(CPUBudget.cgroupQuota(read: { $0 == "/proc/self/cgroup" ? "0::/x\n" : "lots of cpu" }) == nil)
        #expect(CPUBudget.cgroupQuota(read: { _ in nil }) == nil)
    }

    @Test func thisProcessHasABudget() {
        let budget = CPUBudget.current
        #expect(budget.online >= 1)
        #expect(budget.threads >= 1 && budget.threads <= budget.online)
        if let affinity = budget.affinity { #expect(affinity >= 1) }
    }
}
