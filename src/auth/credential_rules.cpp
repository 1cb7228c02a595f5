#include "auth/credential_rules.hpp"

#include <algorithm>

namespace wx::auth {
namespace {

constexpr bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr bool is_username_char(char c) { return is_ascii_alnum(c) || c == '_' || c == '.' || c == '-'; }

// RFC 5322 atext: what an unquoted local part may hold besides the dots between atoms.
constexpr bool is_atext(char c) {
    return is_ascii_alnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

// C0 controls, DEL, and C1 controls (U+0080-U+009F, encoded C2 80 - C2 9F).
bool has_control_character(std::string_view utf8) {
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        auto const b = static_cast<unsigned char>(utf8[i]);
        if (b < 0x20 || b == 0x7F) return true;
        if (b == 0xC2 && i + 1 < utf8.size()) {
            auto const next = static_cast<unsigned char>(utf8[i + 1]);
            if (next >= 0x80 && next <= 0x9F) return true;
        }
    }
    return false;
}

bool is_dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char prev = '\0';
    for (char c : s) {
        if (c == '.' ? prev == '.' : !is_atext(c)) return false;
        prev = c;
    }
    return true;
}

bool is_domain(std::string_view domain) {
    std::size_t labels = 0;
    while (true) {
        std::size_t const dot = domain.find('.');
        std::string_view const label = domain.substr(0, dot);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        if (!std::all_of(label.begin(), label.end(), [](char c) { return is_ascii_alnum(c) || c == '-'; })) {
            return false;
        }
        ++labels;
        if (dot == std::string_view::npos) break;
        domain.remove_prefix(dot + 1);
    }
    return labels >= 2;
}

}  // namespace

std::size_t count_code_points(std::string_view utf8) {
    return static_cast<std::size_t>(
        std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::optional<std::string_view> username_problem(std::string_view username) {
    std::size_t const chars = count_code_points(username);
    if (chars < kUsernameMinChars) return reason::too_short;
    if (chars > kUsernameMaxChars) return reason::too_long;
    if (!std::all_of(username.begin(), username.end(), is_username_char)) return reason::invalid_characters;
    if (username.front() == '.' || username.front() == '-') return reason::invalid_start;
    return std::nullopt;
}

std::optional<std::string_view> password_problem(std::string_view password) {
    std::size_t const chars = count_code_points(password);
    if (chars < kPasswordMinChars) return reason::too_short;
    if (chars > kPasswordMaxChars) return reason::too_long;
    if (has_control_character(password)) return reason::invalid_characters;
    return std::nullopt;
}

bool password_too_long(std::string_view password) {
    // Four bytes per character at most: anything longer is too long without counting.
    return password.size() > 4 * kPasswordMaxChars || count_code_points(password) > kPasswordMaxChars;
}

std::optional<std::string_view> email_problem(std::string_view email) {
    if (count_code_points(email) > kEmailMaxChars) return reason::too_long;
    std::size_t const at = email.find('@');
    if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
        return reason::invalid_email;
    }
    std::string_view const local = email.substr(0, at);
    if (local.size() > kEmailLocalMaxChars || !is_dot_atom(local)) return reason::invalid_email;
    if (!is_domain(email.substr(at + 1))) return reason::invalid_email;
    return std::nullopt;
}

std::string username_key(std::string_view username) { return ascii_lowercase(username); }

std::string email_key(std::string_view email) { return ascii_lowercase(email); }

bool is_email_identifier(std::string_view identifier) { return identifier.find('@') != std::string_view::npos; }

}  // namespace wx::auth
