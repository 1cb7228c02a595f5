#pragma once

#include <string>
#include <string_view>

namespace wx::http {

// An incoming X-Request-Id is echoed only when it is 1..128 characters of [A-Za-z0-9._:-];
// anything else could smuggle text into logs.
[[nodiscard]] bool is_sane_request_id(std::string_view id) noexcept;
// 32 lowercase hex characters from a per-thread generator seeded by the OS: unique, cheap, no syscall.
[[nodiscard]] std::string new_request_id();

}  // namespace wx::http
