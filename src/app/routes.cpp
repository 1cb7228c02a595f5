// The whole HTTP surface on one screen: method, path, handler, per-route middleware.
#include "app/app.hpp"

namespace wx::app {

using http::route_to;
using http::verb;

void App::add_routes() {
    auto& r = router_;
    r.add(verb::get, "/healthz", route_to(ops_, &api::OpsApi::healthz));
    r.add(verb::get, "/readyz", route_to(ops_, &api::OpsApi::readyz));
    r.add(verb::get, "/metrics", route_to(ops_, &api::OpsApi::metrics));
}

}  // namespace wx::app
