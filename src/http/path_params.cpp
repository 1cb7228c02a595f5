#include "http/path_params.hpp"

#include <stdexcept>

namespace wx::http {

void PathParams::add_integer(std::string_view name, std::string text, std::int64_t value) {
    params_.push_back({name, std::move(text), value, true});
}

void PathParams::add_text(std::string_view name, std::string text) {
    params_.push_back({name, std::move(text), 0, false});
}

PathParams::Param const& PathParams::get(std::string_view name) const {
    for (auto const& p : params_)
        if (p.name == name) return p;
    throw std::logic_error("the route has no path parameter {" + std::string{name} + "}");
}

std::int64_t PathParams::integer(std::string_view name) const {
    Param const& p = get(name);
    if (!p.is_integer) throw std::logic_error("path parameter {" + std::string{name} + "} is not {name:int}");
    return p.value;
}

std::string_view PathParams::text(std::string_view name) const { return get(name).text; }

}  // namespace wx::http
