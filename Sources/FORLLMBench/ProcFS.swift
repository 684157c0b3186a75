#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory of server processes, from Linux's /proc.
enum ProcessMemory {
    /// What a set of processes holds.
    struct Usage: Sendable {
        /// Sum of `VmRSS` (shared pages counted once per process).
        var rssKB = 0
        /// Sum of `Pss` from `smaps_rollup` (shared pages split between the processes).
        var pssKB = 0
        var processes = 0
    }

    /// The whole text of a (proc) file, read with read(2): /proc files report size 0.
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The number after `field:` in a /proc status-like file (`VmRSS` and `Pss` count kB,
    /// `write_bytes` bytes).
    static func number(_ field: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if words.count >= 2 { return Int(words[1]) }
        }
        return nil
    }

    /// `pid` and every process descended from it.
    static func tree(of pid: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        guard let directory = opendir("/proc") else { return [pid] }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let child = Int32(name), let stat = Self.readFile("/proc/\(name)/stat") else { continue }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count >= 2, let parent = Int32(fields[1]) { parents[child] = parent }
        }
        var result = [pid]
        var frontier = [pid]
        while let next = frontier.popLast() {
            for (child, parent) in parents where parent == next {
                result.append(child)
                frontier.append(child)
            }
        }
        return result
    }

    /// The memory of `pids` (and, with `tree`, of all their descendants).
    static func usage(of pids: [Int32], tree: Bool) -> Usage {
        var usage = Usage()
        let all = tree ? pids.flatMap { Self.tree(of: $0) } : pids
        for pid in Set(all) {
            guard let status = Self.readFile("/proc/\(pid)/status") else { continue }
            usage.processes += 1
            usage.rssKB += Self.number("VmRSS", in: status) ?? 0
            if let rollup = Self.readFile("/proc/\(pid)/smaps_rollup") {
                usage.pssKB += Self.number("Pss", in: rollup) ?? 0
            }
        }
        return usage
    }

    /// Raises this process's soft limit of open files to the hard limit.
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// CPU time of server processes, from /proc/PID/stat (clock ticks, usually 10 ms).
enum ProcessCPU {
    /// utime, stime, cutime, cstime of `pid` in ticks.
    private static func times(_ pid: Int32) -> [Int]? {
        guard let stat = ProcessMemory.readFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        // Fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt
        // cmajflt utime stime cutime cstime ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14 else { return nil }
        return (11...14).map { Int(fields[$0]) ?? 0 }
    }

    /// CPU seconds used so far by `pids`; with `tree` also by their live descendants and by the
    /// children they reaped (INN: the nnrpd processes of closed connections).
    static func seconds(of pids: [Int32], tree: Bool) -> Double {
        var ticks = 0
        for pid in pids {
            guard let root = Self.times(pid) else { continue }
            ticks += root[0] + root[1] + (tree ? root[2] + root[3] : 0)
            if tree {
                for child in ProcessMemory.tree(of: pid).dropFirst() {
                    if let times = Self.times(child) { ticks += times[0] + times[1] }
                }
            }
        }
        return Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds this process (the bench) used so far.
    static func ownSeconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        _ = getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        _ = getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// Bytes the server processes had written to storage, from /proc/PID/io.
enum ProcessIO {
    /// `write_bytes` of `pids` (and, with `tree`, of their live descendants): what they caused
    /// to be written to the storage layer (a page of the page cache counts when it is dirtied,
    /// so rewriting a page still waiting for writeback counts once). `nil` when a file cannot
    /// be read (another user's process, no permission).
    static func writtenBytes(of pids: [Int32], tree: Bool) -> Int? {
        var total = 0
        for pid in Set(tree ? pids.flatMap { ProcessMemory.tree(of: $0) } : pids) {
            guard let io = ProcessMemory.readFile("/proc/\(pid)/io"),
                let written = ProcessMemory.number("write_bytes", in: io)
            else { return nil }
            total += written
        }
        return total
    }
}
