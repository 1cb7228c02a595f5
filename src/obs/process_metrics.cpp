#include "obs/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace wx::obs {
namespace {

void gauge(std::string& out, char const* name, char const* type, char const* help, double value) {
    char line[256];
    std::snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n%s %.10g\n", name, help, name, type, name, value);
    out += line;
}

// The fields of /proc/self/stat after the command name (which may contain spaces), so that
// fields[0] is the state (field 3 of proc(5)).
std::optional<std::vector<std::string>> stat_fields() {
    std::ifstream in{"/proc/self/stat"};
    std::string all{std::istreambuf_iterator<char>(in), {}};
    auto const close = all.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream rest{all.substr(close + 1)};
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) fields.push_back(std::move(f));
    if (fields.size() < 22) return std::nullopt;
    return fields;
}

std::optional<double> boot_time() {
    std::ifstream in{"/proc/stat"};
    for (std::string key; in >> key;) {
        if (key == "btime") {
            double t = 0;
            if (in >> t) return t;
            return std::nullopt;
        }
        in.ignore(1 << 20, '\n');
    }
    return std::nullopt;
}

}  // namespace

void ProcessMetrics::write(std::string& out) const {
    double const ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
    double const page = static_cast<double>(::sysconf(_SC_PAGESIZE));
    if (auto f = stat_fields()) {
        // proc(5): utime 14, stime 15, num_threads 20, starttime 22, vsize 23, rss 24; fields[0] is 3.
        auto field = [&](int n) { return std::stod((*f)[static_cast<std::size_t>(n - 3)]); };
        gauge(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.",
              (field(14) + field(15)) / ticks);
        gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", field(24) * page);
        gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", field(23));
        gauge(out, "process_threads", "gauge", "Threads of the process.", field(20));
        if (auto boot = boot_time())
            gauge(out, "process_start_time_seconds", "gauge",
                  "Start time of the process since the Unix epoch, in seconds.", *boot + field(22) / ticks);
    }
    std::error_code ec;
    std::size_t fds = 0;
    for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end; it.increment(ec)) ++fds;
    if (!ec) gauge(out, "process_open_fds", "gauge", "Open file descriptors.", static_cast<double>(fds));
    if (rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0)
        gauge(out, "process_max_fds", "gauge", "The limit on open file descriptors.",
              static_cast<double>(limit.rlim_cur));
}

}  // namespace wx::obs
