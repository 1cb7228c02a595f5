#pragma once
// Small helpers for reading HTTP field values (RFC 9110 §5.5), shared by every place that splits
// or compares them.

#include <string_view>

namespace wx::http {

// The value without the optional whitespace (spaces and tabs) around it.
[[nodiscard]] constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace wx::http
