#pragma once

#include "obs/metrics.hpp"

namespace wx::obs {

// The standard process metrics of Prometheus client libraries, read from /proc/self at scrape
// time: process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_threads and process_start_time_seconds. A file
// that cannot be read leaves its metric out of that scrape rather than reporting a made-up 0.
// Thread safety: write() may run on any thread.
class ProcessMetrics final : public Collector {
public:
    void write(std::string& out) const override;
};

}  // namespace wx::obs
