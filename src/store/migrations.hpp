#pragma once
// The schema migration runner every backend shares: versions are applied in order, each with its
// version record in one transaction where the backend's DDL allows it; the backend supplies the
// statements (its own DDL) and how to run them.

#include <cstdint>
#include <span>
#include <string_view>

#include "store/errors.hpp"

namespace wx::store {

// What the runner needs of a backend.
class MigrationTarget {
public:
    virtual ~MigrationTarget() = default;
    // Creates the version table when missing; answers the newest applied version (0: empty).
    virtual result<std::int64_t> current_version() = 0;
    // Runs `ddl` and records `version` as applied, atomically where the backend can.
    virtual result<void> apply(std::int64_t version, std::string_view ddl) = 0;
};

// Brings the schema to `target` (default: the newest of `versions`, where version N is
// versions[N-1]). A database newer than this build is refused (Errc::internal, logged) rather
// than used with a schema the code does not know.
result<void> migrate_schema(MigrationTarget& db, std::span<std::string_view const> versions, std::int64_t target = -1);

}  // namespace wx::store
