#include "store/migrations.hpp"

#include "obs/log.hpp"

namespace wx::store {

result<void> migrate_schema(MigrationTarget& db, std::span<std::string_view const> versions, std::int64_t target) {
    auto const known = static_cast<std::int64_t>(versions.size());
    if (target < 0 || target > known) target = known;
    auto current = db.current_version();
    if (!current) return current.error();
    if (*current > known) {
        obs::log_error("schema_too_new", {{"version", *current}, {"known", known}});
        return make_error_code(Errc::internal);
    }
    for (std::int64_t v = *current + 1; v <= target; ++v) {
        if (auto applied = db.apply(v, versions[static_cast<std::size_t>(v - 1)]); !applied) return applied;
        obs::log_info("schema_migrated", {{"version", v}});
    }
    return {};
}

}  // namespace wx::store
