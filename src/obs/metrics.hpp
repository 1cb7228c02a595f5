#pragma once
// Prometheus metrics with fixed label sets, created once at start-up so that recording on the hot
// path is an index and a relaxed atomic add, never a lookup or an allocation.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wx::obs {

inline constexpr std::array<double, 14> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};

// Anything that can write its samples in the Prometheus text format (0.0.4).
class Collector {
public:
    virtual ~Collector() = default;
    virtual void write(std::string& out) const = 0;
};

// A counter with one fixed set of label values.
// Thread safety: add() may be called concurrently.
class Counter {
public:
    void add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

// A histogram over kLatencyBuckets with one fixed set of label values.
// Thread safety: observe() may be called concurrently.
class Histogram {
public:
    void observe(double seconds);
    void write(std::string& out, std::string_view name, std::string_view labels) const;
    [[nodiscard]] std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

private:
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_micros_{0};
};

// A family of counters keyed by label values fixed at registration.
// Thread safety: register during start-up only; add() through the returned reference afterwards.
class CounterFamily final : public Collector {
public:
    CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
    Counter& with(std::vector<std::string> label_values);
    void write(std::string& out) const override;

private:
    std::string name_, help_;
    std::vector<std::string> label_names_;
    std::vector<std::pair<std::string, std::unique_ptr<Counter>>> series_;
};

// Histograms over kLatencyBuckets keyed by label values fixed at registration.
// Thread safety: register during start-up only; observe() through the returned reference afterwards.
class HistogramFamily final : public Collector {
public:
    HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names);
    Histogram& with(std::vector<std::string> label_values);
    void write(std::string& out) const override;

private:
    std::string name_, help_;
    std::vector<std::string> label_names_;
    std::vector<std::pair<std::string, std::unique_ptr<Histogram>>> series_;
};

// Samples read from callbacks at scrape time — a component's own figures (live connections,
// pool depth, cache hits it counts under a lock it takes anyway), so that recording them costs
// the hot path nothing extra. One sample without labels, or one per fixed value of one label.
// Thread safety: sample() during start-up only; the callbacks run on the scraping thread.
class CallbackMetric final : public Collector {
public:
    enum class Type { counter, gauge };
    CallbackMetric(std::string name, std::string help, Type type, std::string label_name = {});
    // Adds a sample; `label_value` is ignored without a label name.
    CallbackMetric& sample(std::string label_value, std::function<double()> read);
    CallbackMetric& sample(std::function<double()> read) { return sample({}, std::move(read)); }
    void write(std::string& out) const override;

private:
    std::string name_, help_;
    Type type_;
    std::string label_name_;
    std::vector<std::pair<std::string, std::function<double()>>> samples_;  // rendered labels, read
};

// Request counts and latencies by route template, method and status class.
// Thread safety: record() may be called concurrently; routes are registered at start-up.
class HttpMetrics final : public Collector {
public:
    HttpMetrics();
    // Returns the index to pass to record(); call once per route template at start-up.
    std::size_t add_route(std::string_view route_template);
    void record(std::size_t route, std::string_view method, unsigned status, double seconds);
    void write(std::string& out) const override;
    [[nodiscard]] std::uint64_t requests(std::size_t route, std::string_view method, unsigned status) const;

private:
    static constexpr std::array<std::string_view, 6> kMethods = {"GET", "POST", "PATCH", "PUT", "DELETE", "OTHER"};
    static constexpr std::size_t kClasses = 5;
    struct Series {
        Counter requests;
        Histogram latency;
    };
    struct Route {
        std::string name;
        std::array<std::array<Series, kClasses>, kMethods.size()> series;
    };
    static std::size_t method_index(std::string_view method);
    static std::size_t class_index(unsigned status);
    std::vector<std::unique_ptr<Route>> routes_;
};

// The scrape target: every collector registered at start-up, in order.
class MetricsRegistry {
public:
    void add(Collector const& c) { collectors_.push_back(&c); }
    [[nodiscard]] std::string render() const;

private:
    std::vector<Collector const*> collectors_;
};

}  // namespace wx::obs
