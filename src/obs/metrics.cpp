#include "obs/metrics.hpp"

#include <cstdio>

namespace wx::obs {
namespace {

void append_double(std::string& out, double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    out += buf;
}

void append_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void append_label_value(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
}

}  // namespace

void Histogram::observe(double seconds) {
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        if (seconds <= kLatencyBuckets[i]) {
            buckets_[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::write(std::string& out, std::string_view name, std::string_view labels) const {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kLatencyBuckets.size(); ++i) {
        out += name;
        out += "_bucket{";
        out += labels;
        if (!labels.empty()) out += ',';
        out += "le=\"";
        if (i < kLatencyBuckets.size()) {
            cumulative += buckets_[i].load(std::memory_order_relaxed);
            append_double(out, kLatencyBuckets[i]);
        } else {
            cumulative = count_.load(std::memory_order_relaxed);
            out += "+Inf";
        }
        out += "\"} ";
        out += std::to_string(cumulative);
        out += '\n';
    }
    out += name;
    out += "_sum{";
    out += labels;
    out += "} ";
    append_double(out, static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
    out += '\n';
    out += name;
    out += "_count{";
    out += labels;
    out += "} ";
    out += std::to_string(count_.load(std::memory_order_relaxed));
    out += '\n';
}

namespace {

// `a="x",b="y"` for label names and values given in the same order.
std::string render_labels(std::vector<std::string> const& names, std::vector<std::string> const& values) {
    std::string labels;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
        if (i) labels += ',';
        labels += names[i];
        labels += "=\"";
        append_label_value(labels, values[i]);
        labels += '"';
    }
    return labels;
}

template <class Series>
Series& series_for(std::vector<std::pair<std::string, std::unique_ptr<Series>>>& all, std::string labels) {
    for (auto& [l, s] : all)
        if (l == labels) return *s;
    all.emplace_back(std::move(labels), std::make_unique<Series>());
    return *all.back().second;
}

void append_sample(std::string& out, std::string_view name, std::string_view labels, std::string_view value) {
    out += name;
    if (!labels.empty()) {
        out += '{';
        out += labels;
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

Counter& CounterFamily::with(std::vector<std::string> label_values) {
    return series_for(series_, render_labels(label_names_, label_values));
}

void CounterFamily::write(std::string& out) const {
    append_header(out, name_, help_, "counter");
    for (auto const& [labels, c] : series_) append_sample(out, name_, labels, std::to_string(c->value()));
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

Histogram& HistogramFamily::with(std::vector<std::string> label_values) {
    return series_for(series_, render_labels(label_names_, label_values));
}

void HistogramFamily::write(std::string& out) const {
    append_header(out, name_, help_, "histogram");
    for (auto const& [labels, h] : series_) h->write(out, name_, labels);
}

CallbackMetric::CallbackMetric(std::string name, std::string help, Type type, std::string label_name)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_name_(std::move(label_name)) {}

CallbackMetric& CallbackMetric::sample(std::string label_value, std::function<double()> read) {
    std::string labels = label_name_.empty() ? std::string{} : render_labels({label_name_}, {std::move(label_value)});
    samples_.emplace_back(std::move(labels), std::move(read));
    return *this;
}

void CallbackMetric::write(std::string& out) const {
    append_header(out, name_, help_, type_ == Type::counter ? "counter" : "gauge");
    for (auto const& [labels, read] : samples_) {
        std::string value;
        append_double(value, read());
        append_sample(out, name_, labels, value);
    }
}

HttpMetrics::HttpMetrics() = default;

std::size_t HttpMetrics::add_route(std::string_view route_template) {
    for (std::size_t i = 0; i < routes_.size(); ++i)
        if (routes_[i]->name == route_template) return i;
    auto r = std::make_unique<Route>();
    r->name = std::string{route_template};
    routes_.push_back(std::move(r));
    return routes_.size() - 1;
}

std::size_t HttpMetrics::method_index(std::string_view method) {
    for (std::size_t i = 0; i + 1 < kMethods.size(); ++i)
        if (kMethods[i] == method) return i;
    return kMethods.size() - 1;
}

std::size_t HttpMetrics::class_index(unsigned status) {
    return status >= 100 && status < 600 ? status / 100 - 1 : kClasses - 1;  // nonsense counts as 5xx
}

void HttpMetrics::record(std::size_t route, std::string_view method, unsigned status, double seconds) {
    if (route >= routes_.size()) return;
    auto& s = routes_[route]->series[method_index(method)][class_index(status)];
    s.requests.add();
    s.latency.observe(seconds);
}

std::uint64_t HttpMetrics::requests(std::size_t route, std::string_view method, unsigned status) const {
    if (route >= routes_.size()) return 0;
    return routes_[route]->series[method_index(method)][class_index(status)].requests.value();
}

void HttpMetrics::write(std::string& out) const {
    auto each = [&](auto&& fn) {
        for (auto const& r : routes_)
            for (std::size_t m = 0; m < kMethods.size(); ++m)
                for (std::size_t c = 0; c < kClasses; ++c) {
                    auto const& s = r->series[m][c];
                    if (s.requests.value() == 0) continue;
                    std::string labels = "route=\"";
                    append_label_value(labels, r->name);
                    labels += "\",method=\"";
                    labels += kMethods[m];
                    labels += "\",status=\"";
                    labels += std::to_string(c + 1);
                    labels += "xx\"";
                    fn(s, labels);
                }
    };
    append_header(out, "wxlogin_http_requests_total",
                  "HTTP requests answered, by route template, method and status class.", "counter");
    each([&](Series const& s, std::string const& labels) {
        out += "wxlogin_http_requests_total{";
        out += labels;
        out += "} ";
        out += std::to_string(s.requests.value());
        out += '\n';
    });
    append_header(out, "wxlogin_http_request_duration_seconds",
                  "Time from a complete request to its response, by route template, method and status class.",
                  "histogram");
    each([&](Series const& s, std::string const& labels) {
        s.latency.write(out, "wxlogin_http_request_duration_seconds", labels);
    });
}

std::string MetricsRegistry::render() const {
    std::string out;
    out.reserve(8192);
    for (auto const* c : collectors_) c->write(out);
    return out;
}

}  // namespace wx::obs
