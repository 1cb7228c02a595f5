#include "store/errors.hpp"

#include <string>

namespace wx::store {
namespace {

class Category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "store"; }
    std::string message(int ev) const override {
        switch (static_cast<Errc>(ev)) {
            case Errc::not_found:
                return "not found";
            case Errc::conflict:
                return "conflicts with an existing record";
            case Errc::busy:
                return "database busy";
            case Errc::unavailable:
                return "database unavailable";
            case Errc::overloaded:
                return "too many database calls waiting";
            case Errc::internal:
                return "database error";
        }
        return "database error";
    }
};

}  // namespace

boost::system::error_category const& category() noexcept {
    static Category const c;
    return c;
}

}  // namespace wx::store
